"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";
import type { UnlockedKey } from "@/lib/keystore";
import { categoryLabel, formatBytes, IntegrityError, INTEGRITY_MESSAGE, openRecord, type OpenProgress, type RecordEntry, type RecordMetadata } from "@/lib/records/client";
import { AccessRefusedError } from "@/lib/records/client/open";
import { PdfViewer } from "@/components/pdf/PdfViewer";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { saveFile } from "@/components/ui/download";
import { txDetail } from "@/components/keys/RegisterSteps";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;
type Opened = { bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata };
type State =
  | { status: "opening"; progress: OpenProgress }
  | { status: "ready"; bytes: Uint8Array<ArrayBuffer> }
  | { status: "error"; message: string; kind: "integrity" | "refused" | "other"; reason?: string };

function progressText(progress: OpenProgress): string {
  switch (progress.step) {
    case "log":
      return `Recording this opening in the patient's access log (logAccess): ${txDetail(progress.tx)}`;
    case "key":
      return "Fetching your key for this record…";
    case "download":
      return `Downloading and decrypting… ${formatBytes(progress.received)}${progress.total ? ` of ${formatBytes(progress.total)}` : ""}`;
    case "verify":
      return "Checking the file's integrity…";
  }
}

/**
 * Opens one record: decrypt fully, verify, then show it inline with a Download button. `open` replaces the
 * patient's own opening (a doctor's logs the access on chain first); it runs once per viewer, even when
 * React mounts effects twice, because it may send a transaction.
 */
export function RecordViewer({
  entry,
  keyPair,
  onClose,
  open,
  backLabel = "Back to my records",
  children,
}: {
  entry: OkEntry;
  keyPair: UnlockedKey;
  onClose: () => void;
  open?: (onProgress: (progress: OpenProgress) => void) => Promise<Opened>;
  backLabel?: string;
  /** Extra lines under the record's details (e.g. the patient, the expiry). */
  children?: ReactNode;
}) {
  const [state, setState] = useState<State>({ status: "opening", progress: { step: "key" } });
  const heading = useRef<HTMLHeadingElement>(null);
  const opening = useRef<Promise<Opened> | undefined>(undefined);
  const openRef = useRef(open);
  const { metadata } = entry;

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    let cancelled = false;
    const onProgress = (progress: OpenProgress) => !cancelled && setState({ status: "opening", progress });
    opening.current ??= openRef.current ? openRef.current(onProgress) : openRecord(entry.chain, keyPair, onProgress);
    opening.current
      .then(({ bytes }) => !cancelled && setState({ status: "ready", bytes }))
      .catch((error: unknown) => {
        if (cancelled) return;
        if (error instanceof IntegrityError) setState({ status: "error", kind: "integrity", message: INTEGRITY_MESSAGE });
        else if (error instanceof AccessRefusedError) setState({ status: "error", kind: "refused", reason: error.reason, message: error.message });
        else setState({ status: "error", kind: "other", message: error instanceof Error ? error.message : "The record could not be opened." });
      });
    return () => {
      cancelled = true;
    };
  }, [entry.chain, keyPair]);

  return (
    <section aria-labelledby="viewer-heading" className="space-y-4" data-testid="record-viewer">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="viewer-heading" ref={heading} tabIndex={-1} className="text-xl font-semibold">
            {metadata.title}
          </h2>
          <p className="text-sm text-slate-700">
            {categoryLabel(metadata.category)} · {metadata.hospital} · {metadata.admissionDate} to {metadata.dischargeDate}
          </p>
          <p className="text-sm text-slate-600">{metadata.reason}</p>
          {children}
        </div>
        <div className="flex gap-3">
          {state.status === "ready" && <Button onClick={() => saveFile([state.bytes], metadata.fileName, "application/pdf")}>Download</Button>}
          <Button variant="secondary" onClick={onClose}>
            {backLabel}
          </Button>
        </div>
      </div>
      {state.status === "opening" && (
        <p role="status" aria-live="polite" className="break-all text-sm text-slate-600" data-testid="open-progress" data-step={state.progress.step}>
          {progressText(state.progress)}
        </p>
      )}
      {state.status === "error" && (
        <div data-reason={state.reason}>
          <Alert tone="error" testId={state.kind === "integrity" ? "integrity-error" : state.kind === "refused" ? "access-refused" : "open-error"}>
            {state.message}
          </Alert>
        </div>
      )}
      {state.status === "ready" && <PdfViewer bytes={state.bytes} title={metadata.title} />}
    </section>
  );
}
