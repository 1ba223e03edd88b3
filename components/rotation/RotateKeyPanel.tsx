"use client";

import { useId, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { backupFileName, backupFileText, type UnlockedKey } from "@/lib/keystore";
import type { KeyRole } from "@/lib/records/client/sign-up";
import { rotateKey, RotationError, type RotationProgress, type RotationResult } from "@/lib/rotation/client/rotate";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { saveFile } from "@/components/ui/download";
import { LostKeyHelp } from "./LostKeyHelp";
import { RotationProgressList } from "./RotationProgress";

/**
 * "Rotate my key": a new key pair made here, every data key wrapped for this user re-wrapped here for it, the new
 * public key on chain and in the key store, a new backup file offered. Then the portal locks, to be unlocked
 * with the new key (same passphrase).
 */
export function RotateKeyPanel({ chain, keyPair, role, onLock }: { chain: BrowserChain; keyPair: UnlockedKey; role: KeyRole; onLock: () => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const [progress, setProgress] = useState<RotationProgress>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<{ message: string; mayBeOnChain: boolean }>();
  const [result, setResult] = useState<RotationResult>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!passphrase) {
      setError({ message: "Enter your passphrase.", mayBeOnChain: false });
      return;
    }
    setError(undefined);
    setRunning(true);
    try {
      setResult(await rotateKey({ chain, key: keyPair, passphrase }, setProgress));
      setPassphrase("");
    } catch (cause) {
      setError({ message: cause instanceof Error ? cause.message : String(cause), mayBeOnChain: cause instanceof RotationError && cause.mayBeOnChain });
    } finally {
      setRunning(false);
    }
  };

  const finish = () => {
    result?.key.secretKey.fill(0);
    onLock();
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6" data-testid="rotate-key">
      <h2 id={`${id}-heading`} className="text-xl font-semibold">
        Rotate my key
      </h2>
      <p className="text-sm text-slate-600">
        After a lost device or a suspected compromise, replace your key pair. Everything you can read now stays readable: each record&apos;s key is
        re-wrapped in this browser for the new key before the new key goes on chain, and your current key is kept on this device until the switch is
        finished. {role === "patient" ? "Doctors' grants" : "Patients' grants to you"} stay valid. The new key is sealed with the same passphrase.
      </p>
      {result ? (
        <Alert tone="success" title="Your key was rotated" testId="rotation-done">
          <p>
            {result.rewrapped} record key{result.rewrapped === 1 ? " was" : "s were"} re-wrapped for your new key
            {result.unreadable ? `; ${result.unreadable} that your old key could not open either were left as they were` : ""}. Your old backup file no longer
            matches: download the new one and keep it safe.
          </p>
          <div className="mt-3 flex flex-wrap gap-3">
            <Button onClick={() => saveFile([backupFileText(result.backup)], backupFileName(keyPair.address), "application/json")}>Download the new backup file</Button>
            <Button variant="secondary" onClick={finish}>
              Continue with the new key
            </Button>
          </div>
        </Alert>
      ) : (
        <form noValidate onSubmit={(event) => void submit(event)} className="space-y-4">
          <Field id={`${id}-passphrase`} label="Your passphrase" required hint="The passphrase of your current key; it also seals the new one.">
            {(control) => <input {...control} type="password" autoComplete="current-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} disabled={running} />}
          </Field>
          <Button type="submit" disabled={running}>
            {running ? "Rotating…" : "Rotate my key"}
          </Button>
        </form>
      )}
      {(progress || error) && <RotationProgressList role={role} progress={progress} failed={Boolean(error) && !result} />}
      {error && (
        <Alert tone="error" title={error.mayBeOnChain ? "The rotation is not finished" : "Your key was not rotated"} testId="rotation-error">
          {error.message}
        </Alert>
      )}
      <LostKeyHelp role={role} />
    </section>
  );
}
