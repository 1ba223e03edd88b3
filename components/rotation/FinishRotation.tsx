"use client";

import { useId, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { backupFileName, backupFileText, type UnlockedKey } from "@/lib/keystore";
import type { KeyRole } from "@/lib/records/client/sign-up";
import { discardRotation, finishRotation, type RotationProgress, type RotationResult } from "@/lib/rotation/client/rotate";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { saveFile } from "@/components/ui/download";
import { LostKeyHelp } from "./LostKeyHelp";
import { RotationProgressList } from "./RotationProgress";
import type { PendingRotationState } from "./usePendingRotation";

/**
 * The key gate's screen for a rotation interrupted on this device (the page closed after the chain transaction,
 * a network failure before the key store switched): one passphrase opens the old and the new key, and the
 * rotation runs again from where it stopped. A rotation that never reached the chain may be cancelled instead.
 */
export function FinishRotation({
  role,
  chain,
  address,
  pending,
  onDone,
}: {
  role: KeyRole;
  chain: BrowserChain;
  address: string;
  pending: PendingRotationState;
  onDone: (key: UnlockedKey) => void;
}) {
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const [progress, setProgress] = useState<RotationProgress>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<RotationResult>();

  if (pending.state === "loading") return <p className="text-slate-600">Looking for your key…</p>;
  if (pending.state !== "pending") return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passphrase) return setError("Enter your passphrase.");
    setError(undefined);
    setRunning(true);
    try {
      setResult(await finishRotation({ chain, address, passphrase }, setProgress));
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setRunning(false);
    }
  };

  const cancel = async () => {
    setError(undefined);
    setRunning(true);
    try {
      await discardRotation(chain, address);
      pending.clear();
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="mx-auto max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="finish-rotation" data-reached-chain={pending.reachedChain}>
      <h2 className="text-lg font-semibold">Finish your key rotation</h2>
      <p className="text-sm text-slate-600">
        A rotation of your key started on this device on {new Date(pending.rotation.startedAt).toLocaleString()} and did not finish.{" "}
        {pending.reachedChain
          ? "Your new key is already on chain, so it must be finished: your record keys are re-wrapped for it (nothing readable before is lost) and the key store switches to it."
          : "Your new key is not on chain yet: finish the rotation, or cancel it and keep your current key."}{" "}
        Your old key is still kept on this device until it is finished.
      </p>
      {result ? (
        <Alert tone="success" title="Your key rotation is finished" testId="rotation-done">
          <p>Download the backup file of your new key and keep it safe: the old backup file no longer matches.</p>
          <div className="mt-3 flex flex-wrap gap-3">
            <Button onClick={() => saveFile([backupFileText(result.backup)], backupFileName(address), "application/json")}>Download the new backup file</Button>
            <Button
              variant="secondary"
              onClick={() => {
                pending.clear();
                onDone(result.key);
              }}
            >
              Continue
            </Button>
          </div>
        </Alert>
      ) : (
        <form noValidate onSubmit={(event) => void submit(event)} className="space-y-4">
          <Field id={`${id}-passphrase`} label="Passphrase" required error={error}>
            {(control) => <input {...control} type="password" autoComplete="current-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} disabled={running} />}
          </Field>
          <div className="flex flex-wrap items-center gap-4">
            <Button type="submit" disabled={running}>
              Finish the rotation
            </Button>
            {!pending.reachedChain && (
              <Button variant="link" onClick={() => void cancel()} disabled={running}>
                Cancel it and keep my current key
              </Button>
            )}
          </div>
        </form>
      )}
      {progress && <RotationProgressList role={role} progress={progress} failed={Boolean(error) && !result} />}
      {error && <LostKeyHelp role={role} />}
    </section>
  );
}
