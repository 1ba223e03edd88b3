"use client";

import { useId, useMemo, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { FhirImportError, readImport, SKIP_LABELS, type ImportDraft, type ImportItem, type ImportReading } from "@/lib/fhir";
import { formatBytes, RECORD_CATEGORIES, UploadError, validateUploadForm, type FieldErrors, type RecordEntry, type RecordMetadata } from "@/lib/records/client";
import { uploadSharedRecord, type SharedUploadProgress } from "@/lib/sharing/client";
import type { UnlockedKey } from "@/lib/keystore";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { txDetail } from "@/components/keys/RegisterSteps";

type Row = ImportItem & { include: boolean; errors: FieldErrors; status: "waiting" | "running" | "done" | "failed"; progress?: string; recordId?: string; failure?: string };
type Phase = "choose" | "review" | "importing" | "done";

function progressText(progress: SharedUploadProgress): string {
  switch (progress.step) {
    case "recipients":
      return "Finding the doctors who may read it…";
    case "encrypt":
      return `Encrypting ${formatBytes(progress.done)} of ${formatBytes(progress.total)}`;
    case "create":
      return "Preparing the upload…";
    case "upload":
      return `Sending ${formatBytes(progress.sent)} of ${formatBytes(progress.total)}`;
    case "sign":
      return `Recording on chain: ${txDetail(progress.tx)}`;
    case "confirm":
      return "Confirming with the key store…";
    case "done":
      return "Done";
  }
}

const fileOf = (row: Row) => new File([row.bytes as Uint8Array<ArrayBuffer>], row.draft.fileName, { type: "application/pdf" });

/**
 * Imports FHIR records: a Bundle (JSON), a zip (bundle.json + PDFs) or single DocumentReferences. Shows what
 * will be imported with the record form's fields filled in (editable), skips what cannot be (not a PDF, too
 * large, duplicate by SHA-256, missing or damaged file) and sends each record through the normal upload
 * pipeline, one after the other, with its own progress; then a summary.
 */
export function ImportPanel({
  chain,
  keyPair,
  maxBytes,
  existing,
  existingReady = true,
  onImported,
}: {
  chain: BrowserChain;
  keyPair: UnlockedKey;
  maxBytes: number;
  existing: readonly RecordEntry[];
  /** False while the existing records load: a file cannot be chosen yet (duplicates are found against them). */
  existingReady?: boolean;
  onImported: () => void;
}) {
  const id = useId();
  const [phase, setPhase] = useState<Phase>("choose");
  const [error, setError] = useState<string>();
  const [rows, setRows] = useState<Row[]>([]);
  const [ignored, setIgnored] = useState<ImportReading["ignored"]>({});
  const existingSha256 = useMemo(() => new Set(existing.flatMap((entry) => (entry.status === "ok" ? [entry.metadata.sha256] : []))), [existing]);

  const choose = async (files: FileList | null) => {
    setError(undefined);
    if (!files || files.length === 0) return;
    try {
      const read = readImport(await Promise.all([...files].map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }))), { maxBytes, existingSha256 });
      if (read.items.length === 0) throw new FhirImportError("The file holds no DocumentReference, so there is nothing to import.");
      setRows(read.items.map((item) => ({ ...item, include: !item.skip, errors: {}, status: "waiting" })));
      setIgnored(read.ignored);
      // Nothing importable (every record skipped): straight to the summary.
      setPhase(read.items.some((item) => !item.skip) ? "review" : "done");
    } catch (caught) {
      setError(caught instanceof FhirImportError ? caught.message : `The file could not be read: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };

  const update = (key: string, change: Partial<Row>) => setRows((current) => current.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const setDraft = (row: Row, field: keyof ImportDraft, value: string) => update(row.key, { draft: { ...row.draft, [field]: value } as ImportDraft, errors: { ...row.errors, [field]: undefined } });

  const chosen = rows.filter((row) => row.include && !row.skip);

  const start = async () => {
    // Every chosen record is checked as the upload form would before anything is sent.
    const checked = await Promise.all(rows.map(async (row) => (row.include && !row.skip ? { ...row, errors: await validateUploadForm({ file: fileOf(row), ...row.draft }, maxBytes) } : row)));
    setRows(checked);
    if (checked.some((row) => Object.values(row.errors).some(Boolean))) return;
    setPhase("importing");
    let imported = 0;
    for (const row of checked) {
      if (!row.include || row.skip) continue;
      update(row.key, { status: "running", progress: "Starting…" });
      const file = fileOf(row);
      const metadata: RecordMetadata = {
        version: 1,
        title: row.draft.title.trim(),
        hospital: row.draft.hospital.trim(),
        reason: row.draft.reason.trim(),
        admissionDate: row.draft.admissionDate,
        dischargeDate: row.draft.dischargeDate,
        category: row.draft.category,
        fileName: file.name,
        size: file.size,
        sha256: row.sha256!,
        mimeType: "application/pdf",
      };
      try {
        const outcome = await uploadSharedRecord({ chain, key: keyPair, file, metadata }, (progress) => update(row.key, { progress: progressText(progress) }));
        update(row.key, { status: "done", progress: "Imported", recordId: outcome.recordId });
        imported += 1;
      } catch (caught) {
        update(row.key, { status: "failed", failure: caught instanceof UploadError || caught instanceof Error ? caught.message : String(caught) });
      }
    }
    setPhase("done");
    if (imported > 0) onImported();
  };

  const reset = () => {
    setRows([]);
    setIgnored({});
    setError(undefined);
    setPhase("choose");
  };

  const skipped = rows.filter((row) => row.skip || !row.include);
  const ignoredText = Object.entries(ignored)
    .map(([type, count]) => `${count} ${type}`)
    .join(", ");

  return (
    <div className="space-y-4" data-testid="fhir-import">
      {phase === "choose" && (
        <div className="space-y-2">
          <label htmlFor={`${id}-file`} className="block text-sm font-medium">
            FHIR file to import
          </label>
          <input
            id={`${id}-file`}
            type="file"
            multiple
            accept=".json,.zip,application/json,application/fhir+json,application/zip"
            className="block text-sm"
            disabled={!existingReady}
            onChange={(event) => void choose(event.target.files)}
          />
          <p className="text-xs text-slate-600">A FHIR R4 Bundle (JSON), a zip holding bundle.json and the PDFs, or one or more DocumentReference JSON files. It is read in this browser.</p>
        </div>
      )}
      {error && (
        <Alert tone="error" title="This file cannot be imported" testId="fhir-import-error">
          {error}
        </Alert>
      )}

      {phase !== "choose" && (
        <>
          <p className="text-sm text-slate-700" data-testid="fhir-import-overview">
            {rows.length} record{rows.length === 1 ? "" : "s"} found: {rows.filter((row) => !row.skip).length} can be imported, {rows.filter((row) => row.skip).length} will be skipped.
            {ignoredText && ` Also in the file, not imported: ${ignoredText}.`}
          </p>
          <ol className="space-y-3">
            {rows.map((row, index) => {
              const field = (name: keyof ImportDraft) => `${id}-${index}-${name}`;
              const editable = phase === "review" && !row.skip && row.include;
              return (
                <li key={row.key} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="fhir-import-item" data-status={row.skip ? "skipped" : row.status} data-skip={row.skip?.reason}>
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <p className="font-medium">
                      {row.draft.title || row.draft.fileName} <span className="text-xs font-normal text-slate-600">({row.source})</span>
                    </p>
                    {row.skip ? (
                      <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-900">Skipped: {SKIP_LABELS[row.skip.reason]}</span>
                    ) : (
                      phase === "review" && (
                        <label className="flex items-center gap-2 text-sm">
                          <input type="checkbox" checked={row.include} onChange={(event) => update(row.key, { include: event.target.checked })} />
                          Import this record
                        </label>
                      )
                    )}
                  </div>
                  {row.skip && <p className="text-sm text-slate-700">{row.skip.message}</p>}
                  {editable && (
                    <div className="grid gap-3 sm:grid-cols-2">
                      <Field id={field("title")} label="Title" error={row.errors.title} required>
                        {(control) => <input {...control} value={row.draft.title} onChange={(event) => setDraft(row, "title", event.target.value)} />}
                      </Field>
                      <Field id={field("category")} label="Category" error={row.errors.category} required>
                        {(control) => (
                          <select {...control} value={row.draft.category} onChange={(event) => setDraft(row, "category", event.target.value)}>
                            {RECORD_CATEGORIES.map((category) => (
                              <option key={category.value} value={category.value}>
                                {category.label}
                              </option>
                            ))}
                          </select>
                        )}
                      </Field>
                      <Field id={field("hospital")} label="Hospital name" error={row.errors.hospital} required>
                        {(control) => <input {...control} value={row.draft.hospital} onChange={(event) => setDraft(row, "hospital", event.target.value)} />}
                      </Field>
                      <div className="grid grid-cols-2 gap-2">
                        <Field id={field("admissionDate")} label="Admission date" error={row.errors.admissionDate} required>
                          {(control) => <input {...control} type="date" value={row.draft.admissionDate} onChange={(event) => setDraft(row, "admissionDate", event.target.value)} />}
                        </Field>
                        <Field id={field("dischargeDate")} label="Discharge date" error={row.errors.dischargeDate} required>
                          {(control) => <input {...control} type="date" value={row.draft.dischargeDate} onChange={(event) => setDraft(row, "dischargeDate", event.target.value)} />}
                        </Field>
                      </div>
                      <div className="sm:col-span-2">
                        <Field id={field("reason")} label="Reason for the visit" error={row.errors.reason} required>
                          {(control) => <textarea {...control} rows={2} value={row.draft.reason} onChange={(event) => setDraft(row, "reason", event.target.value)} />}
                        </Field>
                      </div>
                      <p className="text-xs text-slate-600 sm:col-span-2">
                        {row.draft.fileName} · {formatBytes(row.bytes?.length ?? 0)}
                        {row.errors.file && <span className="text-red-700"> · {row.errors.file}</span>}
                      </p>
                    </div>
                  )}
                  {!row.skip && phase !== "review" && (
                    <p className={`text-sm ${row.status === "failed" ? "text-red-700" : "text-slate-700"}`} aria-live="polite" data-testid="fhir-import-progress">
                      {row.status === "failed" ? `Failed: ${row.failure}` : row.include ? (row.progress ?? "Waiting…") : "Not chosen"}
                    </p>
                  )}
                </li>
              );
            })}
          </ol>
          {phase === "review" && (
            <div className="flex flex-wrap gap-3">
              <Button onClick={() => void start()} disabled={chosen.length === 0}>
                Import {chosen.length} record{chosen.length === 1 ? "" : "s"}
              </Button>
              <Button variant="secondary" onClick={reset}>
                Cancel
              </Button>
            </div>
          )}
          {phase === "done" && (
            <Alert tone={rows.some((row) => row.status === "failed") ? "warning" : "success"} title="Import finished" testId="fhir-import-summary">
              <p>
                Imported {rows.filter((row) => row.status === "done").length}, failed {rows.filter((row) => row.status === "failed").length}, skipped {skipped.length}.
              </p>
              {skipped.length > 0 && (
                <ul className="mt-1 list-disc pl-5">
                  {skipped.map((row) => (
                    <li key={row.key} data-testid="fhir-import-skipped" data-reason={row.skip?.reason ?? "not-chosen"}>
                      {row.draft.title || row.draft.fileName}: {row.skip ? `${SKIP_LABELS[row.skip.reason]}. ${row.skip.message}` : "not chosen."}
                    </li>
                  ))}
                </ul>
              )}
              <Button variant="link" onClick={reset}>
                Import another file
              </Button>
            </Alert>
          )}
        </>
      )}
    </div>
  );
}
