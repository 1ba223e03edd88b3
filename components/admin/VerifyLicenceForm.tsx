"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { explainAdminError, parseAddressInput, verifyLicence, type LicenceCheck } from "@/lib/admin/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";

const RESULTS: Record<LicenceCheck["result"], { tone: "success" | "error" | "warning"; text: string }> = {
  match: { tone: "success", text: "The licence number matches the one registered for this doctor." },
  mismatch: { tone: "error", text: "The licence number does NOT match the one registered for this doctor." },
  "no-salt": { tone: "warning", text: "The app holds no licence salt for this doctor (registered elsewhere?), so the licence cannot be checked here." },
  "not-a-doctor": { tone: "warning", text: "This address is not registered as a doctor." },
};

/** Verify a licence: the stored salt (GET /api/admin/licence-salts/:address), hashed with the number, against the chain. */
export function VerifyLicenceForm({ chain }: { chain: BrowserChain }) {
  const id = useId();
  const [address, setAddress] = useState("");
  const [licence, setLicence] = useState("");
  const [errors, setErrors] = useState<{ address?: string; licence?: string }>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ tone: "success" | "error" | "warning"; text: string }>();
  const formRef = useRef<HTMLFormElement>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setResult(undefined);
    const parsed = parseAddressInput(address);
    const next = { address: parsed.ok ? undefined : parsed.message, licence: licence.trim() ? undefined : "Enter the licence number to check." };
    setErrors(next);
    if (!parsed.ok || next.licence) {
      formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(next.address ? `${id}-address` : `${id}-licence`)}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      setResult(RESULTS[(await verifyLicence(chain, parsed.address, licence)).result]);
    } catch (error) {
      setResult({ tone: "error", text: `The licence could not be checked: ${explainAdminError(error)}` });
    }
    setBusy(false);
    requestAnimationFrame(() => resultRef.current?.focus());
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="verify-licence">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        Verify a licence
      </h2>
      <form ref={formRef} noValidate onSubmit={(event) => void submit(event)} className="mt-4 grid gap-4 sm:grid-cols-2">
        <Field id={`${id}-address`} label="Doctor's wallet address" required error={errors.address}>
          {(control) => <input {...control} type="text" spellCheck={false} autoComplete="off" value={address} onChange={(event) => setAddress(event.target.value)} />}
        </Field>
        <Field id={`${id}-licence`} label="Licence number to check" required error={errors.licence}>
          {(control) => <input {...control} type="text" autoComplete="off" value={licence} onChange={(event) => setLicence(event.target.value)} />}
        </Field>
        <div className="space-y-3 sm:col-span-2">
          <div ref={resultRef} tabIndex={-1} className="outline-none">
            {result && (
              <Alert tone={result.tone} testId="verify-licence-result">
                {result.text}
              </Alert>
            )}
          </div>
          <Button type="submit" disabled={busy}>
            {busy ? "Checking…" : "Verify licence"}
          </Button>
        </div>
      </form>
    </section>
  );
}
