"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import type { KeyBackup } from "@/lib/crypto";
import type { BrowserChain } from "@/lib/chain/client";
import { backupFileName, backupFileText, createSealedKey, MIN_PASSPHRASE_LENGTH, passphraseStrength, type UnlockedKey } from "@/lib/keystore";
import { EMPTY_PROFILE, type ProfileFields } from "@/lib/records/client";
import { assertNewKeyAllowed, type KeyRole } from "@/lib/records/client/sign-up";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { saveFile } from "@/components/ui/download";
import { ProfileInputs } from "@/components/patient/ProfileInputs";
import { RegisterSteps } from "./RegisterSteps";

type Stage = { name: "form" } | { name: "sealing"; fraction: number } | { name: "backup"; backup: KeyBackup; key: UnlockedKey; downloaded: boolean } | { name: "register"; key: UnlockedKey };

const TEXT: Record<KeyRole, { title: string; intro: string; register: string }> = {
  patient: {
    title: "Create your patient account",
    intro: "A new encryption key is made in this browser. Choose a passphrase to lock it; you will need it to open your records on this device.",
    register: "Register as a patient",
  },
  doctor: {
    title: "Create your doctor key",
    intro:
      "A new encryption key is made in this browser; patients' browsers wrap the records they share with you for it. Choose a passphrase to lock it; you will need it to open shared records on this device.",
    register: "Publish your doctor key",
  },
};

/**
 * Sign-up: passphrase -> key pair sealed on this device -> mandatory backup download -> key on chain
 * (patient: registerPatient, with an optional encrypted profile; doctor: DoctorContract.setEncryptionKey).
 */
export function SignUp({ chain, address, onDone, role = "patient" }: { chain: BrowserChain; address: string; onDone: (key: UnlockedKey) => void; role?: KeyRole }) {
  const text = TEXT[role];
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [profile, setProfile] = useState<ProfileFields>(EMPTY_PROFILE);
  const [errors, setErrors] = useState<{ passphrase?: string; confirm?: string; form?: string }>({});
  const [stage, setStage] = useState<Stage>({ name: "form" });
  const formRef = useRef<HTMLFormElement>(null);
  const strength = passphraseStrength(passphrase);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) next.passphrase = `Use at least ${MIN_PASSPHRASE_LENGTH} characters.`;
    if (confirm !== passphrase) next.confirm = "The two passphrases do not match.";
    setErrors(next);
    if (next.passphrase || next.confirm) {
      formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(next.passphrase ? `${id}-passphrase` : `${id}-confirm`)}`)?.focus();
      return;
    }
    setStage({ name: "sealing", fraction: 0 });
    try {
      const { backup, key } = await createSealedKey(address, passphrase, {
        onProgress: (fraction) => setStage({ name: "sealing", fraction }),
        // Never overwrite this device's key if the wallet is (meanwhile) registered on chain.
        beforeStore: (stored) => assertNewKeyAllowed(chain, address, stored, role),
      });
      setStage({ name: "backup", backup, key, downloaded: false });
    } catch (error) {
      setErrors({ form: error instanceof Error ? error.message : "Could not create your key." });
      setStage({ name: "form" });
    }
  };

  if (stage.name === "backup") {
    return (
      <section className="mx-auto max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="backup-step">
        <h2 className="text-lg font-semibold">Download your key backup</h2>
        <p className="text-slate-700">
          Your key is stored in this browser, locked with your passphrase. If you clear this browser or change device, the backup file and
          your passphrase are the <strong>only</strong> way to read {role === "doctor" ? "the records shared with you" : "your records"} again. Nobody — not the hospital, not us — can recover them.
        </p>
        <Button
          onClick={() => {
            saveFile([backupFileText(stage.backup)], backupFileName(address), "application/json");
            setStage({ ...stage, downloaded: true });
          }}
        >
          Download backup file
        </Button>
        {stage.downloaded && <Alert tone="success">Saved as {backupFileName(address)}. Keep it somewhere safe, apart from your passphrase.</Alert>}
        <div>
          <Button variant={stage.downloaded ? "primary" : "secondary"} disabled={!stage.downloaded} onClick={() => setStage({ name: "register", key: stage.key })} aria-describedby={`${id}-continue-hint`}>
            Continue to registration
          </Button>
          {!stage.downloaded && (
            <p id={`${id}-continue-hint`} className="mt-1 text-xs text-slate-600">
              Download the backup first.
            </p>
          )}
        </div>
      </section>
    );
  }

  if (stage.name === "register") {
    return (
      <section className="mx-auto max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="register-step">
        <h2 className="text-lg font-semibold">{text.register}</h2>
        <RegisterSteps chain={chain} keyPair={stage.key} profile={role === "patient" ? profile : null} role={role} onDone={() => onDone(stage.key)} />
      </section>
    );
  }

  const busy = stage.name === "sealing";
  return (
    <section className="mx-auto max-w-xl rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="sign-up">
      <h2 className="text-lg font-semibold">{text.title}</h2>
      <p className="mt-1 text-sm text-slate-600">{text.intro}</p>
      <form ref={formRef} noValidate onSubmit={(event) => void submit(event)} className="mt-4 space-y-4">
        <Field id={`${id}-passphrase`} label="Passphrase" required error={errors.passphrase} hint={<span data-testid="passphrase-strength">{passphrase ? strength.label : `At least ${MIN_PASSPHRASE_LENGTH} characters; four or more words is best.`}</span>}>
          {(control) => <input {...control} type="password" autoComplete="new-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />}
        </Field>
        <Field id={`${id}-confirm`} label="Confirm passphrase" required error={errors.confirm}>
          {(control) => <input {...control} type="password" autoComplete="new-password" value={confirm} onChange={(event) => setConfirm(event.target.value)} />}
        </Field>
        {role === "patient" && (
          <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
            <legend className="px-1 text-sm font-medium">Your profile (optional, encrypted so only you can read it)</legend>
            <ProfileInputs idPrefix={id} value={profile} onChange={setProfile} />
          </fieldset>
        )}
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        {busy && (
          <p role="status" className="text-sm text-slate-600">
            Creating and locking your key… {Math.round(stage.fraction * 100)}%
          </p>
        )}
        <Button type="submit" disabled={busy}>
          Create my key
        </Button>
      </form>
    </section>
  );
}
