"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { startBrowserEnvelopeThreads } from "@/lib/crypto/browser-envelope-threads";
import { warmEnvelopeThreads } from "@/lib/crypto/envelope-threads";
import type { UnlockedKey } from "@/lib/keystore";
import {
  confirmRecordUpload,
  DEFAULT_MAX_UPLOAD_BYTES,
  FIELD_LIMITS,
  findDuplicate,
  formatBytes,
  hashFile,
  RECORD_CATEGORIES,
  UploadError,
  validateUploadForm,
  type FieldErrors,
  type PendingConfirmation,
  type RecordEntry,
  type RecordMetadata,
  type UploadField,
  type UploadFormInput,
} from "@/lib/records/client";
import type { Recipient } from "@/lib/records/client/upload";
import { uploadSharedRecord, type SharedUploadProgress, type SkippedRecipient } from "@/lib/sharing/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { flowSteps, ProgressSteps } from "@/components/ui/ProgressSteps";
import { txDetail } from "@/components/keys/RegisterSteps";

const EMPTY: UploadFormInput = { file: null, title: "", hospital: "", reason: "", admissionDate: "", dischargeDate: "", category: "" };
const FIELD_ORDER: UploadField[] = ["file", "title", "hospital", "reason", "admissionDate", "dischargeDate", "category"];
const STEPS = [
  { id: "hash", label: "Check the file" },
  { id: "recipients", label: "Find the doctors who may read it (all-records grants, keys checked on chain)" },
  { id: "encrypt", label: "Encrypt the file and its details in this browser" },
  { id: "create", label: "Prepare the upload" },
  { id: "upload", label: "Send the encrypted file" },
  { id: "sign", label: "Record it on chain (addRecord in your wallet)" },
  { id: "confirm", label: "Confirm with the key store" },
] as const;
type StepId = (typeof STEPS)[number]["id"];

type Phase =
  | { name: "editing" }
  | { name: "duplicate"; title: string; sha256: string }
  | { name: "running"; step: StepId; detail?: string; fraction?: number }
  | { name: "failed"; step: StepId; message: string; pending?: PendingConfirmation; title?: string };

/** What a finished upload reports besides its title (absent after a retried confirmation). */
export interface UploadOutcome {
  recordId: string;
  /** Doctors (addresses) the data key was wrapped for besides the patient and the uploader. */
  sharedWith: string[];
  /** Doctors with an all-records grant whose key could not be verified: not wrapped for. */
  skipped: SkippedRecipient[];
}

/**
 * The upload form and its pipeline with a named progress display. `patient` defaults to the key's own
 * address (a doctor passes the patient who gave them an all-records grant); the data key is also wrapped for
 * every doctor holding a live all-records grant from the patient, and for `recipients`.
 */
export function UploadForm({
  chain,
  keyPair,
  existing,
  maxBytes = DEFAULT_MAX_UPLOAD_BYTES,
  patient,
  recipients,
  onUploaded,
  onCancel,
}: {
  chain: BrowserChain;
  keyPair: UnlockedKey;
  existing: RecordEntry[];
  maxBytes?: number;
  patient?: string;
  recipients?: readonly Recipient[];
  onUploaded: (title: string, outcome?: UploadOutcome) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [input, setInput] = useState<UploadFormInput>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [phase, setPhase] = useState<Phase>({ name: "editing" });
  const [skipped, setSkipped] = useState<SkippedRecipient[]>([]);
  const formRef = useRef<HTMLFormElement>(null);
  const fieldId = (field: UploadField) => `${id}-${field}`;
  // The encryption threads load while the form is filled in, not when the first file is sent.
  useEffect(() => {
    startBrowserEnvelopeThreads();
    void warmEnvelopeThreads();
  }, []);
  const set = (field: Exclude<UploadField, "file">) => (event: { target: { value: string } }) => setInput({ ...input, [field]: event.target.value });

  const run = async (sha256: string) => {
    const file = input.file!;
    setSkipped([]);
    const metadata: RecordMetadata = {
      version: 1,
      title: input.title.trim(),
      hospital: input.hospital.trim(),
      reason: input.reason.trim(),
      admissionDate: input.admissionDate,
      dischargeDate: input.dischargeDate,
      category: input.category as RecordMetadata["category"],
      fileName: file.name,
      size: file.size,
      sha256,
      mimeType: "application/pdf",
    };
    const onProgress = (progress: SharedUploadProgress) => {
      switch (progress.step) {
        case "recipients":
          if (progress.skipped) setSkipped(progress.skipped);
          return setPhase({
            name: "running",
            step: "recipients",
            detail: progress.found === undefined ? undefined : progress.found === 0 ? "no other reader" : `${progress.found} doctor${progress.found === 1 ? "" : "s"}`,
          });
        case "encrypt":
          return setPhase({ name: "running", step: "encrypt", detail: `${formatBytes(progress.done)} of ${formatBytes(progress.total)}`, fraction: progress.total ? progress.done / progress.total : 1 });
        case "create":
          return setPhase({ name: "running", step: "create" });
        case "upload":
          return setPhase({ name: "running", step: "upload", detail: `${formatBytes(progress.sent)} of ${formatBytes(progress.total)}`, fraction: progress.total ? progress.sent / progress.total : 1 });
        case "sign":
          return setPhase({ name: "running", step: "sign", detail: txDetail(progress.tx) });
        case "confirm":
          return setPhase({ name: "running", step: "confirm", detail: `record ${progress.recordId}${progress.attempt && progress.attempt > 1 ? `, attempt ${progress.attempt}` : ""}` });
        case "done":
          return;
      }
    };
    try {
      const outcome = await uploadSharedRecord({ chain, key: keyPair, file, metadata, patient, recipients }, onProgress);
      onUploaded(metadata.title, outcome);
    } catch (error) {
      failed(error, "encrypt", metadata.title);
    }
  };

  const failed = (error: unknown, fallback: StepId, title?: string) => {
    const step: StepId = error instanceof UploadError ? (error.step === "done" ? "confirm" : error.step) : fallback;
    const pending = error instanceof UploadError ? error.pending : undefined;
    setPhase({ name: "failed", step, message: error instanceof Error ? error.message : String(error), pending, title });
  };

  /** The record is on chain: only the key store's confirmation is missing. Never uploads or signs again. */
  const retryConfirmation = async (pending: PendingConfirmation, title: string) => {
    setPhase({ name: "running", step: "confirm", detail: `record ${pending.recordId}` });
    try {
      await confirmRecordUpload(pending, {
        onAttempt: (attempt) => setPhase({ name: "running", step: "confirm", detail: `record ${pending.recordId}${attempt > 1 ? `, attempt ${attempt}` : ""}` }),
      });
      onUploaded(title);
    } catch (error) {
      failed(error, "confirm", title);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (phase.name === "running") return;
    if (phase.name === "failed" && phase.pending && phase.title) return void retryConfirmation(phase.pending, phase.title);
    let sha256: string;
    try {
      const found = await validateUploadForm(input, maxBytes);
      setErrors(found);
      const first = FIELD_ORDER.find((field) => found[field]);
      if (first) {
        formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(fieldId(first))}`)?.focus();
        return;
      }
      setPhase({ name: "running", step: "hash" });
      sha256 = await hashFile(input.file!);
    } catch (error) {
      // An unreadable file (moved, permission lost) or any other surprise: never leave the form "running".
      const reason = error instanceof Error ? error.message : String(error);
      setPhase({ name: "failed", step: "hash", message: `The file could not be read: ${reason}. Choose it again and retry.` });
      return;
    }
    const duplicate = findDuplicate(existing, sha256);
    if (duplicate) return setPhase({ name: "duplicate", title: duplicate.metadata.title, sha256 });
    await run(sha256);
  };

  const busy = phase.name === "running";
  // Once the record is on chain, the form is frozen: the only way forward is to confirm it, never to upload again.
  const awaitingConfirmation = phase.name === "failed" && phase.pending !== undefined;
  const steps = flowSteps(STEPS, phase.name === "running" ? { ...phase, failed: false } : phase.name === "failed" ? { step: phase.step, failed: true } : undefined);

  return (
    <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="upload-form">
      <form ref={formRef} noValidate onSubmit={(event) => void submit(event)} className="space-y-4" aria-describedby={`${id}-required`}>
        <p id={`${id}-required`} className="text-xs text-slate-600">
          Fields marked * are required. Everything here is encrypted in this browser before it is sent.
        </p>
        <fieldset disabled={busy || awaitingConfirmation} className="grid gap-4 sm:grid-cols-2">
          <div className="sm:col-span-2">
            <Field id={fieldId("file")} label="PDF file" required error={errors.file} hint={`A PDF document, at most ${formatBytes(maxBytes)}.`}>
              {(control) => <input {...control} type="file" accept="application/pdf,.pdf" onChange={(event) => setInput({ ...input, file: event.target.files?.[0] ?? null })} />}
            </Field>
          </div>
          <Field id={fieldId("title")} label="Title" required error={errors.title}>
            {(control) => <input {...control} maxLength={FIELD_LIMITS.title} value={input.title} onChange={set("title")} />}
          </Field>
          <Field id={fieldId("category")} label="Category" required error={errors.category}>
            {(control) => (
              <select {...control} value={input.category} onChange={set("category")}>
                <option value="">Choose…</option>
                {RECORD_CATEGORIES.map((category) => (
                  <option key={category.value} value={category.value}>
                    {category.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={fieldId("hospital")} label="Hospital name" required error={errors.hospital}>
            {(control) => <input {...control} maxLength={FIELD_LIMITS.hospital} value={input.hospital} onChange={set("hospital")} />}
          </Field>
          <div className="grid grid-cols-2 gap-3">
            <Field id={fieldId("admissionDate")} label="Admission date" required error={errors.admissionDate}>
              {(control) => <input {...control} type="date" value={input.admissionDate} onChange={set("admissionDate")} />}
            </Field>
            <Field id={fieldId("dischargeDate")} label="Discharge date" required error={errors.dischargeDate}>
              {(control) => <input {...control} type="date" value={input.dischargeDate} onChange={set("dischargeDate")} />}
            </Field>
          </div>
          <div className="sm:col-span-2">
            <Field id={fieldId("reason")} label="Reason for the visit" required error={errors.reason} hint={`At most ${FIELD_LIMITS.reason} characters.`}>
              {(control) => <textarea {...control} rows={3} maxLength={FIELD_LIMITS.reason} value={input.reason} onChange={set("reason")} />}
            </Field>
          </div>
        </fieldset>

        {phase.name === "duplicate" ? (
          <Alert tone="warning" title="You already have this file" testId="duplicate-warning">
            <p>This exact file is already in your records as “{phase.title}”. Uploading it again would create a second copy.</p>
            <div className="mt-3 flex gap-3">
              <Button variant="secondary" onClick={onCancel}>
                Cancel upload
              </Button>
              <Button onClick={() => void run(phase.sha256)}>Upload it again anyway</Button>
            </div>
          </Alert>
        ) : awaitingConfirmation ? null : (
          <div className="flex gap-3">
            <Button type="submit" disabled={busy}>
              {phase.name === "failed" ? "Try again" : "Encrypt and upload"}
            </Button>
            <Button variant="secondary" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
          </div>
        )}
      </form>

      {(phase.name === "running" || phase.name === "failed") && <ProgressSteps steps={steps} label="Upload progress" testId="upload-progress" />}
      {skipped.length > 0 && (
        <Alert tone="warning" title="Not shared with every doctor holding an all-records grant" testId="upload-share-warning">
          <ul className="list-disc pl-5">
            {skipped.map((entry) => (
              <li key={entry.address}>{entry.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      {phase.name === "failed" && !phase.pending && (
        <Alert tone="error" title="The upload did not complete" testId="upload-error">
          {phase.message}
        </Alert>
      )}
      {phase.name === "failed" && phase.pending && (
        <Alert tone="warning" title="Recorded on chain, not confirmed yet" testId="confirm-error">
          <p>{phase.message}</p>
          <p className="mt-1 text-sm">
            Record id: <span className="font-mono" data-testid="pending-record-id">{phase.pending.recordId}</span>
          </p>
          <div className="mt-3 flex gap-3">
            <Button onClick={() => void retryConfirmation(phase.pending!, phase.title ?? input.title.trim())}>Retry confirmation</Button>
            <Button variant="secondary" onClick={onCancel}>
              Close
            </Button>
          </div>
        </Alert>
      )}
    </div>
  );
}
