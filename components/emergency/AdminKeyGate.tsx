"use client";

import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import type { BrowserChain, TxStatus } from "@/lib/chain/client";
import { backupFileName, backupFileText, createSealedKey, loadStoredBackup, MIN_PASSPHRASE_LENGTH, type UnlockedKey } from "@/lib/keystore";
import type { KeyBackup } from "@/lib/crypto";
import { adminKeyOnChain, publishAdminKey } from "@/lib/emergency/client/admin";
import { UnlockKey } from "@/components/keys/UnlockKey";
import { RestoreKey } from "@/components/keys/RestoreKey";
import { txDetail } from "@/components/keys/RegisterSteps";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { saveFile } from "@/components/ui/download";

type Facts = { chainKey: string | undefined; stored: boolean };

/**
 * The administrator's encryption key (for shares of patients' emergency keys): made in this browser and kept
 * like a patient's or doctor's (passphrase-sealed, one per wallet, with a backup file), published on chain with
 * DoctorContract.setAdminEncryptionKey. A key this wallet already holds (as patient or doctor) is reused.
 */
export function AdminKeyGate({ chain, children }: { chain: BrowserChain; children: (key: UnlockedKey) => ReactNode }) {
  const address = chain.account;
  const [facts, setFacts] = useState<Facts | { error: string }>();
  const [key, setKey] = useState<UnlockedKey>();
  const [created, setCreated] = useState<{ backup: KeyBackup; key: UnlockedKey; downloaded: boolean }>();
  const [publishing, setPublishing] = useState<{ tx?: TxStatus; error?: string }>();
  const [replacing, setReplacing] = useState(false);

  useEffect(() => {
    let cancelled = false;
    Promise.all([adminKeyOnChain(chain), loadStoredBackup(address)])
      .then(([chainKey, stored]) => !cancelled && setFacts({ chainKey, stored: stored !== undefined }))
      .catch((error: unknown) => !cancelled && setFacts({ error: error instanceof Error ? error.message : "Could not read the chain." }));
    return () => {
      cancelled = true;
    };
  }, [chain, address]);
  useEffect(
    () => () => {
      key?.secretKey.fill(0);
    },
    [key],
  );

  const publish = async (unlocked: UnlockedKey) => {
    setPublishing({});
    try {
      await publishAdminKey(chain, unlocked, (tx) => setPublishing({ tx }));
      setPublishing(undefined);
      setKey(unlocked);
    } catch (error) {
      setPublishing({ error: error instanceof Error ? error.message : String(error) });
    }
  };

  const onUnlocked = (unlocked: UnlockedKey) => {
    if (facts && "chainKey" in facts && facts.chainKey === unlocked.publicKeyHex.toLowerCase()) setKey(unlocked);
    else void publish(unlocked);
  };

  if (key) return <>{children(key)}</>;
  if (!facts) return <p className="text-slate-600">Looking for your administrator key…</p>;
  if ("error" in facts) return <Alert tone="error" title="Could not check your administrator key">{facts.error}</Alert>;
  if (publishing) {
    return (
      <div className="space-y-2" data-testid="admin-key-publish">
        <p className="text-sm text-slate-700">Publishing your administrator encryption key on chain (setAdminEncryptionKey): {publishing.tx ? txDetail(publishing.tx) : "preparing…"}</p>
        {publishing.error && (
          <Alert tone="error" title="The key was not published">
            {publishing.error}{" "}
            <Button variant="link" onClick={() => setPublishing(undefined)}>
              Back
            </Button>
          </Alert>
        )}
      </div>
    );
  }
  if (created) {
    return (
      <div className="space-y-3" data-testid="admin-key-backup">
        <p className="text-sm text-slate-700">
          Download the backup of your administrator key. Without it and your passphrase, the shares of patients&apos; emergency keys sealed for you cannot be opened on
          another device.
        </p>
        <Button
          onClick={() => {
            saveFile([backupFileText(created.backup)], backupFileName(address), "application/json");
            setCreated({ ...created, downloaded: true });
          }}
        >
          Download backup file
        </Button>{" "}
        <Button variant={created.downloaded ? "primary" : "secondary"} disabled={!created.downloaded} onClick={() => void publish(created.key)}>
          Publish my administrator key
        </Button>
      </div>
    );
  }
  if (facts.stored && !replacing) return <UnlockKey address={address} chainKey={facts.chainKey} onUnlocked={onUnlocked} />;
  if (facts.chainKey && !replacing) {
    return (
      <div className="space-y-3">
        <RestoreKey address={address} chainKey={facts.chainKey} onRestored={setKey} />
        <p className="text-sm text-slate-600">
          Lost the backup?{" "}
          <Button variant="link" onClick={() => setReplacing(true)}>
            Create a new administrator key instead
          </Button>{" "}
          (the shares patients sealed for your old key stay closed to you until they renew their emergency key).
        </p>
      </div>
    );
  }
  return <CreateAdminKey address={address} onCreated={(backup, made) => setCreated({ backup, key: made, downloaded: false })} />;
}

function CreateAdminKey({ address, onCreated }: { address: string; onCreated: (backup: KeyBackup, key: UnlockedKey) => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) return setError(`Use at least ${MIN_PASSPHRASE_LENGTH} characters.`);
    if (confirm !== passphrase) return setError("The two passphrases do not match.");
    setError(undefined);
    setBusy(true);
    try {
      const { backup, key } = await createSealedKey(address, passphrase);
      onCreated(backup, key);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : "Could not create your key.");
      setBusy(false);
    }
  };
  return (
    <form noValidate onSubmit={(event) => void submit(event)} className="space-y-3" data-testid="admin-key-create">
      <p className="text-sm text-slate-700">
        To hold shares of patients&apos; emergency keys, create an encryption key in this browser. Patients&apos; browsers seal a share for it; with the approval of other
        administrators, your browser re-seals it for the doctor who asked.
      </p>
      <Field id={`${id}-passphrase`} label="Passphrase" required error={error}>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />}
      </Field>
      <Field id={`${id}-confirm`} label="Confirm passphrase" required>
        {(control) => <input {...control} type="password" autoComplete="new-password" value={confirm} onChange={(event) => setConfirm(event.target.value)} />}
      </Field>
      <Button type="submit" disabled={busy}>
        {busy ? "Creating your key…" : "Create my administrator key"}
      </Button>
    </form>
  );
}
