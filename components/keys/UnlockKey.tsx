"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { KeystoreError, unlockStoredKey, type UnlockedKey } from "@/lib/keystore";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import type { KeyRole } from "@/lib/records/client/sign-up";
import { RegisterSteps } from "./RegisterSteps";

/**
 * Unlocks the key stored on this device. With `chainKey`, checks it is the key registered on chain; with
 * `finishSignUp`, the key is not registered yet and registration resumes after unlocking.
 */
export function UnlockKey({
  address,
  chainKey,
  finishSignUp,
  onUnlocked,
  onRestore,
  onStartOver,
  role = "patient",
}: {
  role?: KeyRole;
  address: string;
  chainKey?: string;
  finishSignUp?: BrowserChain;
  onUnlocked: (key: UnlockedKey) => void;
  onRestore?: () => void;
  onStartOver?: () => void;
}) {
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<string>();
  const [progress, setProgress] = useState<number>();
  const [registering, setRegistering] = useState<UnlockedKey>();
  const inputRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!passphrase) {
      setError("Enter your passphrase.");
      inputRef.current?.focus();
      return;
    }
    setProgress(0);
    try {
      const key = await unlockStoredKey(address, passphrase, setProgress);
      if (chainKey && key.publicKeyHex.toLowerCase() !== chainKey.toLowerCase()) {
        key.secretKey.fill(0);
        throw new KeystoreError("key-mismatch", "The key on this device is not the one registered on chain for this wallet. Restore the right key from your backup file.");
      }
      if (finishSignUp) setRegistering(key);
      else onUnlocked(key);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : "Could not unlock your key.");
      setProgress(undefined);
      inputRef.current?.focus();
    }
  };

  if (registering && finishSignUp) {
    return (
      <section className="mx-auto max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="register-step">
        <h2 className="text-lg font-semibold">{role === "doctor" ? "Finish publishing your doctor key" : "Finish registering as a patient"}</h2>
        <RegisterSteps chain={finishSignUp} keyPair={registering} profile={null} role={role} onDone={() => onUnlocked(registering)} />
      </section>
    );
  }

  return (
    <section className="mx-auto max-w-lg space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="unlock">
      <h2 className="text-lg font-semibold">{finishSignUp ? "Finish signing up" : "Unlock your key"}</h2>
      <p className="text-sm text-slate-600">
        {finishSignUp
          ? role === "doctor"
            ? "A key for this wallet is in this browser but not published as your doctor key yet. Unlock it to publish it."
            : "A key for this wallet was created in this browser but not registered yet. Unlock it to finish registration."
          : "Your encryption key is stored in this browser, locked with your passphrase. It stays in memory only while this page is open."}
      </p>
      <form noValidate onSubmit={(event) => void submit(event)} className="space-y-4">
        <Field id={`${id}-passphrase`} label="Passphrase" required error={error}>
          {(control) => <input {...control} ref={inputRef} type="password" autoComplete="current-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />}
        </Field>
        {progress !== undefined && (
          <p role="status" className="text-sm text-slate-600">
            Unlocking… {Math.round(progress * 100)}%
          </p>
        )}
        <div className="flex flex-wrap items-center gap-4">
          <Button type="submit" disabled={progress !== undefined}>
            Unlock
          </Button>
          {onRestore && (
            <Button variant="link" onClick={onRestore}>
              Restore from a backup file instead
            </Button>
          )}
          {onStartOver && (
            <Button variant="link" onClick={onStartOver}>
              Create a new key instead
            </Button>
          )}
        </div>
      </form>
    </section>
  );
}
