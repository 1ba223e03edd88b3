"use client";

import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { DoctorEntry } from "@/lib/api/schemas";
import type { UnlockedKey } from "@/lib/keystore";
import { categoryLabel, type RecordEntry } from "@/lib/records/client";
import {
  describeExpiry,
  describeGrant,
  expiryFromChoice,
  grantToDoctor,
  GrantError,
  planGrant,
  sharingApi,
  type AllRecordsMode,
  type ExpiryChoice,
  type GrantProgress,
  type GrantResult,
  type GrantScope,
  type GrantStep,
} from "@/lib/sharing/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { flowSteps, ProgressSteps } from "@/components/ui/ProgressSteps";
import { txDetail } from "@/components/keys/RegisterSteps";
import { ExpiryPicker } from "./ExpiryPicker";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;

const PAGE = 20;
const STEPS: { id: Exclude<GrantStep, "done">; label: string }[] = [
  { id: "check", label: "Check the doctor's key against the chain" },
  { id: "wrap", label: "Re-wrap the records' keys for the doctor in this browser" },
  { id: "store", label: "Store the wrapped keys" },
  { id: "sign", label: "Sign the grant in your wallet" },
];

type Phase =
  | { name: "editing" }
  | { name: "reviewing"; scope: GrantScope; expiresAt: number; mode?: AllRecordsMode }
  | { name: "running"; step: Exclude<GrantStep, "done">; detail?: string; fraction?: number }
  | { name: "done"; message: string; skipped: string[] }
  | { name: "failed"; step: Exclude<GrantStep, "done">; message: string; keyWarning: boolean };

type Search = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; doctors: DoctorEntry[]; total: number; offset: number };

const doctorName = (doctor: DoctorEntry) => `${doctor.name}, ${doctor.specialty}`;

/** What the form starts with (an access request's ask); the patient can still change everything before signing. */
export interface GrantFormInitial {
  /** The doctor's address: searched for, and chosen once the registry answers (if active with a key). */
  doctor?: string;
  scope?: GrantScope["kind"];
  recordIds?: readonly string[];
  expiry?: ExpiryChoice;
}

/**
 * Grant a doctor some records, or all records including future ones, with an expiry: choose, review, sign.
 * `initial` prefills the choices; `onGranted` runs once the grant's transaction is mined.
 */
export function GrantForm({
  chain,
  keyPair,
  records,
  initial,
  onGranted,
}: {
  chain: BrowserChain;
  keyPair: UnlockedKey;
  records: OkEntry[];
  initial?: GrantFormInitial;
  onGranted?: (result: GrantResult) => void;
}) {
  const id = useId();
  const initialDoctor = initial?.doctor?.toLowerCase();
  const [query, setQuery] = useState(initialDoctor ?? "");
  const [search, setSearch] = useState<Search>({ status: "loading" });
  const [doctor, setDoctor] = useState<DoctorEntry>();
  const [scopeKind, setScopeKind] = useState<GrantScope["kind"]>(initial?.scope ?? "records");
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(initial?.recordIds ?? []));
  const [expiry, setExpiry] = useState<ExpiryChoice>(initial?.expiry ?? { kind: "never" });
  const [errors, setErrors] = useState<{ doctor?: string; records?: string; expiry?: string }>({});
  const [phase, setPhase] = useState<Phase>({ name: "editing" });

  // The registry, searched as the patient types (debounced); page one of the matches.
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      setSearch({ status: "loading" });
      sharingApi
        .getDoctors({ q: query, limit: PAGE })
        .then((page) => {
          if (cancelled) return;
          setSearch({ status: "ready", doctors: page.doctors, total: page.total, offset: page.offset + page.doctors.length });
          // A prefilled doctor is chosen as soon as the registry lists them (active, with a key), unless one is chosen already.
          const prefilled = initialDoctor && page.doctors.find((entry) => entry.address === initialDoctor && entry.active && entry.hasKey);
          if (prefilled) setDoctor((current) => current ?? prefilled);
        })
        .catch((error: unknown) => !cancelled && setSearch({ status: "error", message: error instanceof Error ? error.message : "The registry could not be read." }));
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [query, initialDoctor]);

  const more = async () => {
    if (search.status !== "ready") return;
    try {
      const page = await sharingApi.getDoctors({ q: query, offset: search.offset, limit: PAGE });
      setSearch({ status: "ready", doctors: [...search.doctors, ...page.doctors], total: page.total, offset: search.offset + page.doctors.length });
    } catch (error) {
      setSearch({ status: "error", message: error instanceof Error ? error.message : "The registry could not be read." });
    }
  };

  const activeDoctors = useMemo(() => (search.status === "ready" ? search.doctors.filter((entry) => entry.active) : []), [search]);
  const busy = phase.name === "running";
  const titleOf = (recordId: string) => records.find((entry) => entry.chain.recordId === recordId)?.metadata.title ?? recordId;

  const toggle = (recordId: string) => {
    const next = new Set(chosen);
    if (next.has(recordId)) next.delete(recordId);
    else next.add(recordId);
    setChosen(next);
  };

  const review = async (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!doctor) found.doctor = "Choose a doctor.";
    if (scopeKind === "records" && chosen.size === 0) found.records = "Choose at least one record, or all records.";
    const expiresAt = expiryFromChoice(expiry);
    if ("error" in expiresAt) found.expiry = expiresAt.error;
    setErrors(found);
    if (Object.keys(found).length > 0 || !doctor || "error" in expiresAt) return;
    const scope: GrantScope = scopeKind === "all" ? { kind: "all" } : { kind: "records", recordIds: records.map((entry) => entry.chain.recordId).filter((recordId) => chosen.has(recordId)) };
    let mode: AllRecordsMode | undefined;
    try {
      mode = (await planGrant(chain, doctor.address, scope)).allRecordsMode;
    } catch (error) {
      setPhase({ name: "failed", step: "check", message: `The chain could not be read: ${error instanceof Error ? error.message : String(error)}`, keyWarning: false });
      return;
    }
    setPhase({ name: "reviewing", scope, expiresAt: expiresAt.expiresAt, mode });
  };

  const sign = async (scope: GrantScope, expiresAt: number) => {
    if (!doctor) return;
    const onProgress = (progress: GrantProgress) => {
      switch (progress.step) {
        case "check":
          return setPhase({ name: "running", step: "check" });
        case "wrap":
          return setPhase({ name: "running", step: "wrap", detail: `${progress.done} of ${progress.total}`, fraction: progress.total ? progress.done / progress.total : 1 });
        case "store":
          return setPhase({ name: "running", step: "store", detail: `${progress.stored} of ${progress.total}`, fraction: progress.total ? progress.stored / progress.total : 1 });
        case "sign":
          return setPhase({ name: "running", step: "sign", detail: txDetail(progress.tx) });
        case "cleanup":
          return setPhase((current) => (current.name === "running" ? { ...current, detail: "removing the keys prepared for the doctor…" } : current));
        case "done":
          return;
      }
    };
    try {
      const result = await grantToDoctor({ chain, key: keyPair, doctor: doctor.address, scope, expiresAt }, onProgress);
      setPhase({ name: "done", message: describeGrant(result, scope, expiresAt), skipped: result.skipped.map((entry) => `${titleOf(entry.recordId)}: ${entry.reason}`) });
      setChosen(new Set());
      onGranted?.(result);
    } catch (error) {
      const step = error instanceof GrantError && error.step !== "done" ? error.step : "check";
      setPhase({ name: "failed", step, message: error instanceof Error ? error.message : String(error), keyWarning: error instanceof GrantError && error.keyWarning });
    }
  };

  const steps = flowSteps(STEPS, phase.name === "running" ? { ...phase, failed: false } : phase.name === "failed" ? { step: phase.step, failed: true } : undefined);

  if (phase.name === "reviewing" && doctor) {
    const { scope, expiresAt, mode } = phase;
    return (
      <section aria-labelledby={`${id}-review`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="grant-review">
        <h3 id={`${id}-review`} className="text-lg font-semibold">
          Review the grant
        </h3>
        <dl className="grid gap-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="font-medium">Doctor</dt>
          <dd data-testid="review-doctor">
            {doctorName(doctor)} <span className="font-mono text-xs text-slate-600">{doctor.address}</span>
          </dd>
          <dt className="font-medium">Records</dt>
          <dd data-testid="review-records">
            {scope.kind === "all" ? (
              "All records, including future ones"
            ) : (
              <ul className="list-disc pl-5">
                {scope.recordIds.map((recordId) => (
                  <li key={recordId}>{titleOf(recordId)}</li>
                ))}
              </ul>
            )}
          </dd>
          <dt className="font-medium">Expiry</dt>
          <dd data-testid="review-expiry">{describeExpiry(expiresAt)}</dd>
        </dl>
        {mode === "update-expiry" && (
          <Alert tone="info">
            This doctor already holds an all-records grant from you. Signing changes its expiry; records you revoked from it stay revoked (share those one by one if you want them
            to see them again).
          </Alert>
        )}
        <p className="text-sm text-slate-600">
          Your browser re-wraps each record&apos;s key for this doctor&apos;s key (checked against the chain), stores the wrapped keys, then asks your wallet to sign the grant.
        </p>
        <div className="flex gap-3">
          <Button onClick={() => void sign(scope, expiresAt)}>Sign the grant</Button>
          <Button variant="secondary" onClick={() => setPhase({ name: "editing" })}>
            Change
          </Button>
        </div>
      </section>
    );
  }

  return (
    <div className="space-y-4">
      <form noValidate onSubmit={(event) => void review(event)} className="space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="grant-form">
        <fieldset disabled={busy} className="space-y-6">
          <div className="space-y-2">
            <label htmlFor={`${id}-search`} className="block text-sm font-medium text-slate-800">
              Search doctors
            </label>
            <input
              id={`${id}-search`}
              type="search"
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
              placeholder="Name or specialty"
              value={query}
              onChange={(event) => setQuery(event.target.value)}
            />
            <fieldset aria-describedby={errors.doctor ? `${id}-doctor-error` : undefined}>
              <legend className="text-sm font-medium text-slate-800">Doctor</legend>
              {search.status === "loading" && (
                <p className="text-sm text-slate-600" role="status">
                  Searching the registry…
                </p>
              )}
              {search.status === "error" && <Alert tone="error" title="The doctors registry could not be read">{search.message}</Alert>}
              {search.status === "ready" && activeDoctors.length === 0 && (
                <p className="text-sm text-slate-600" data-testid="doctors-empty">
                  {query.trim() ? "No active doctor matches this search." : "No active doctor is registered yet."}
                </p>
              )}
              {activeDoctors.length > 0 && (
                <ul className="mt-2 space-y-2" data-testid="doctor-options">
                  {activeDoctors.map((entry) => (
                    <li key={entry.address} data-testid="doctor-option" data-address={entry.address}>
                      <label className={`flex items-start gap-2 text-sm ${entry.hasKey ? "" : "text-slate-500"}`}>
                        <input
                          type="radio"
                          name={`${id}-doctor`}
                          className="mt-1"
                          value={entry.address}
                          checked={doctor?.address === entry.address}
                          disabled={!entry.hasKey}
                          aria-describedby={`${id}-doctor-${entry.address}`}
                          onChange={() => setDoctor(entry)}
                        />
                        <span>{doctorName(entry)}</span>
                      </label>
                      <p id={`${id}-doctor-${entry.address}`} className="ml-6 font-mono text-xs text-slate-500">
                        {entry.address}
                        {entry.hasKey ? "" : " · has not created an encryption key yet"}
                      </p>
                    </li>
                  ))}
                </ul>
              )}
              {search.status === "ready" && search.offset < search.total && (
                <Button variant="link" className="mt-2 text-sm" onClick={() => void more()}>
                  More doctors
                </Button>
              )}
              {errors.doctor && (
                <p id={`${id}-doctor-error`} className="text-sm text-red-700" data-testid="grant-doctor-error">
                  {errors.doctor}
                </p>
              )}
            </fieldset>
          </div>

          <fieldset className="space-y-2" aria-describedby={errors.records ? `${id}-records-error` : undefined}>
            <legend className="text-sm font-medium text-slate-800">Records</legend>
            <div className="flex flex-wrap gap-x-5 gap-y-2">
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name={`${id}-scope`} checked={scopeKind === "records"} onChange={() => setScopeKind("records")} />
                Chosen records
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name={`${id}-scope`} checked={scopeKind === "all"} onChange={() => setScopeKind("all")} />
                All records, including future ones
              </label>
            </div>
            {scopeKind === "all" ? (
              <p className="text-sm text-slate-600">
                The doctor can read every record you have and every record added later while the grant lasts, and may add records for you.
              </p>
            ) : records.length === 0 ? (
              <p className="text-sm text-slate-600">You have no records to share yet.</p>
            ) : (
              <ul className="space-y-1" data-testid="grant-records">
                {records.map((entry) => (
                  <li key={entry.chain.recordId}>
                    <label className="flex items-start gap-2 text-sm">
                      <input
                        type="checkbox"
                        className="mt-1"
                        checked={chosen.has(entry.chain.recordId)}
                        aria-describedby={`${id}-record-${entry.chain.recordId}`}
                        onChange={() => toggle(entry.chain.recordId)}
                      />
                      <span>{entry.metadata.title}</span>
                    </label>
                    <p id={`${id}-record-${entry.chain.recordId}`} className="ml-6 text-xs text-slate-500">
                      {categoryLabel(entry.metadata.category)} · {entry.metadata.hospital} · {entry.metadata.admissionDate}
                    </p>
                  </li>
                ))}
              </ul>
            )}
            {errors.records && (
              <p id={`${id}-records-error`} className="text-sm text-red-700" data-testid="grant-records-error">
                {errors.records}
              </p>
            )}
          </fieldset>

          <ExpiryPicker value={expiry} onChange={setExpiry} error={errors.expiry} />
        </fieldset>

        <Button type="submit" disabled={busy}>
          Review the grant
        </Button>
      </form>

      {(phase.name === "running" || phase.name === "failed") && <ProgressSteps steps={steps} label="Grant progress" testId="grant-progress" />}
      {phase.name === "failed" && (
        <Alert tone="error" title={phase.keyWarning ? "The doctor's key could not be verified: nothing was shared" : "The grant did not complete"} testId={phase.keyWarning ? "grant-key-warning" : "grant-error"}>
          {phase.message}
        </Alert>
      )}
      {phase.name === "done" && (
        <Alert tone="success" title="Access granted" testId="grant-done">
          <p>{phase.message}</p>
          {phase.skipped.length > 0 && (
            <>
              <p className="mt-2">These records could not be shared:</p>
              <ul className="list-disc pl-5">
                {phase.skipped.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
        </Alert>
      )}
    </div>
  );
}
