"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { restoreFromBackupFile, type UnlockedKey } from "@/lib/keystore";
import { backupFileName } from "@/lib/keystore";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";

const MAX_BACKUP_BYTES = 64 * 1024;

/** Restores the key from a backup file + passphrase; nothing on this device changes unless it all checks out. */
export function RestoreKey({ address, chainKey, onRestored, onCancel }: { address: string; chainKey: string | undefined; onRestored: (key: UnlockedKey) => void; onCancel?: () => void }) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState("");
  const [errors, setErrors] = useState<{ file?: string; passphrase?: string; form?: string }>({});
  const [progress, setProgress] = useState<number>();
  const fileRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    if (!file) next.file = "Choose your backup file.";
    else if (file.size > MAX_BACKUP_BYTES) next.file = "This file is too large to be a key backup.";
    if (!passphrase) next.passphrase = "Enter the passphrase you chose at sign-up.";
    setErrors(next);
    if (next.file) return fileRef.current?.focus();
    if (next.passphrase || !file) return passRef.current?.focus();
    setProgress(0);
    try {
      const key = await restoreFromBackupFile(address, await file.text(), passphrase, chainKey, setProgress);
      onRestored(key);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : "The backup could not be restored.";
      const code = (cause as { code?: string }).code;
      setErrors(code === "wrong-passphrase" ? { passphrase: message } : code === "corrupt-backup" || code === "wrong-account" || code === "key-mismatch" ? { file: message } : { form: message });
      setProgress(undefined);
      (code === "wrong-passphrase" ? passRef : fileRef).current?.focus();
    }
  };

  return (
    <section className="mx-auto max-w-lg space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="restore">
      <h2 className="text-lg font-semibold">Restore your key from a backup</h2>
      <p className="text-sm text-slate-600">
        This wallet is registered, but its key is not in this browser. Choose the backup file you downloaded at sign-up (
        <span className="font-mono">{backupFileName(address)}</span>) and enter its passphrase. Nothing is changed here unless the
        backup opens and matches the key registered on chain.
      </p>
      <form noValidate onSubmit={(event) => void submit(event)} className="space-y-4">
        <Field id={`${id}-file`} label="Backup file" required error={errors.file}>
          {(control) => <input {...control} ref={fileRef} type="file" accept="application/json,.json" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />}
        </Field>
        <Field id={`${id}-passphrase`} label="Passphrase" required error={errors.passphrase}>
          {(control) => <input {...control} ref={passRef} type="password" autoComplete="current-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />}
        </Field>
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        {progress !== undefined && (
          <p role="status" className="text-sm text-slate-600">
            Opening the backup… {Math.round(progress * 100)}%
          </p>
        )}
        <div className="flex flex-wrap items-center gap-4">
          <Button type="submit" disabled={progress !== undefined}>
            Restore key
          </Button>
          {onCancel && (
            <Button variant="link" onClick={onCancel}>
              Back to unlock
            </Button>
          )}
        </div>
      </form>
    </section>
  );
}
