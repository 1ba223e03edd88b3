"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { explainAdminError, registerDoctor, validateDoctorForm, type DoctorForm, type DoctorFormErrors, type RegisterDoctorProgress } from "@/lib/admin/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { ProgressSteps, type StepState } from "@/components/ui/ProgressSteps";
import { txDetail } from "@/components/keys/RegisterSteps";

const EMPTY: DoctorForm = { address: "", name: "", specialty: "", licence: "" };
const FIELDS: (keyof DoctorForm)[] = ["address", "name", "specialty", "licence"];

type Stage = { name: "form" } | { name: "working"; progress: RegisterDoctorProgress } | { name: "failed"; progress: RegisterDoctorProgress; message: string };

/** Register a doctor: address (EIP-55 checked), name, specialty, licence number (only a salted hash goes on chain). */
export function RegisterDoctorForm({ chain, onRegistered }: { chain: BrowserChain; onRegistered: () => void }) {
  const id = useId();
  const [form, setForm] = useState<DoctorForm>(EMPTY);
  const [errors, setErrors] = useState<DoctorFormErrors>({});
  const [stage, setStage] = useState<Stage>({ name: "form" });
  const [done, setDone] = useState<string>();
  const formRef = useRef<HTMLFormElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const set = (field: keyof DoctorForm) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    const next = validateDoctorForm(form);
    setErrors(next);
    const first = FIELDS.find((field) => next[field]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(`${id}-${first}`)}`)?.focus();
      return;
    }
    let last: RegisterDoctorProgress = { step: "salt" };
    setStage({ name: "working", progress: last });
    try {
      const doctor = await registerDoctor(chain, form, (progress) => {
        last = progress;
        setStage({ name: "working", progress });
      });
      setStage({ name: "form" });
      setDone(`${form.name.trim()} (${doctor}) is registered as a doctor and active. They can now sign in on the doctor portal and create their key.`);
      setForm(EMPTY);
      onRegistered();
      requestAnimationFrame(() => resultRef.current?.focus());
    } catch (error) {
      setStage({ name: "failed", progress: last, message: explainAdminError(error) });
      requestAnimationFrame(() => resultRef.current?.focus());
    }
  };

  const busy = stage.name === "working";
  const progress = stage.name === "form" ? undefined : stage.progress;
  const order = ["salt", "sign", "done"] as const;
  const state = (step: (typeof order)[number]): StepState => {
    if (!progress) return "waiting";
    const at = order.indexOf(step);
    const index = order.indexOf(progress.step);
    if (at < index) return "done";
    if (at > index) return "waiting";
    return stage.name === "failed" ? "failed" : "active";
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="register-doctor">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        Register a doctor
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        The licence number stays in this browser: a random salt is kept by the app and only sha256(salt + licence) goes on chain, so a licence can
        be verified later without being published.
      </p>
      <form ref={formRef} noValidate onSubmit={(event) => void submit(event)} className="mt-4 grid gap-4 sm:grid-cols-2">
        <div className="sm:col-span-2">
          <Field id={`${id}-address`} label="Wallet address" required error={errors.address} hint="0x… as the doctor's wallet shows it (checksum-validated).">
            {(control) => <input {...control} type="text" spellCheck={false} autoComplete="off" value={form.address} onChange={set("address")} />}
          </Field>
        </div>
        <Field id={`${id}-name`} label="Name" required error={errors.name}>
          {(control) => <input {...control} type="text" autoComplete="off" value={form.name} onChange={set("name")} />}
        </Field>
        <Field id={`${id}-specialty`} label="Specialty" required error={errors.specialty}>
          {(control) => <input {...control} type="text" autoComplete="off" value={form.specialty} onChange={set("specialty")} />}
        </Field>
        <Field id={`${id}-licence`} label="Licence number" required error={errors.licence}>
          {(control) => <input {...control} type="text" autoComplete="off" value={form.licence} onChange={set("licence")} />}
        </Field>
        <div className="space-y-3 sm:col-span-2">
          {progress && (
            <ProgressSteps
              label="Doctor registration progress"
              testId="register-doctor-progress"
              steps={[
                { id: "salt", label: "Store the licence salt with the app", state: state("salt") },
                { id: "sign", label: "Sign registerDoctor in your wallet", state: state("sign"), detail: progress.step === "sign" ? txDetail(progress.tx) : undefined },
              ]}
            />
          )}
          <div ref={resultRef} tabIndex={-1} className="outline-none">
            {stage.name === "failed" && (
              <Alert tone="error" title="The doctor was not registered" testId="register-doctor-error">
                {stage.message}
              </Alert>
            )}
            {done && (
              <Alert tone="success" testId="register-doctor-result">
                {done}
              </Alert>
            )}
          </div>
          <Button type="submit" disabled={busy}>
            {busy ? "Registering…" : "Register doctor"}
          </Button>
        </div>
      </form>
    </section>
  );
}
