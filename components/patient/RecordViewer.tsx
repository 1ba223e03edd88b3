"use client";

import { useEffect, useRef, useState } from "react";
import type { UnlockedKey } from "@/lib/keystore";
import { categoryLabel, formatBytes, IntegrityError, INTEGRITY_MESSAGE, openRecord, type OpenProgress, type RecordEntry } from "@/lib/records/client";
import { PdfViewer } from "@/components/pdf/PdfViewer";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { saveFile } from "@/components/ui/download";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;
type State = { status: "opening"; progress: OpenProgress } | { status: "ready"; bytes: Uint8Array<ArrayBuffer> } | { status: "error"; message: string; integrity: boolean };

function progressText(progress: OpenProgress): string {
  switch (progress.step) {
    case "key":
      return "Fetching your key for this record…";
    case "download":
      return `Downloading and decrypting… ${formatBytes(progress.received)}${progress.total ? ` of ${formatBytes(progress.total)}` : ""}`;
    case "verify":
      return "Checking the file's integrity…";
  }
}

/** Opens one record: decrypt fully, verify, then show it inline with a Download button. */
export function RecordViewer({ entry, keyPair, onClose }: { entry: OkEntry; keyPair: UnlockedKey; onClose: () => void }) {
  const [state, setState] = useState<State>({ status: "opening", progress: { step: "key" } });
  const heading = useRef<HTMLHeadingElement>(null);
  const { metadata } = entry;

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    let cancelled = false;
    openRecord(entry.chain, keyPair, (progress) => !cancelled && setState({ status: "opening", progress }))
      .then(({ bytes }) => !cancelled && setState({ status: "ready", bytes }))
      .catch((error: unknown) => {
        if (cancelled) return;
        const integrity = error instanceof IntegrityError;
        setState({ status: "error", integrity, message: integrity ? INTEGRITY_MESSAGE : error instanceof Error ? error.message : "The record could not be opened." });
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
        </div>
        <div className="flex gap-3">
          {state.status === "ready" && <Button onClick={() => saveFile([state.bytes], metadata.fileName, "application/pdf")}>Download</Button>}
          <Button variant="secondary" onClick={onClose}>
            Back to my records
          </Button>
        </div>
      </div>
      {state.status === "opening" && (
        <p role="status" aria-live="polite" className="text-sm text-slate-600">
          {progressText(state.progress)}
        </p>
      )}
      {state.status === "error" && (
        <Alert tone="error" testId={state.integrity ? "integrity-error" : "open-error"}>
          {state.message}
        </Alert>
      )}
      {state.status === "ready" && <PdfViewer bytes={state.bytes} title={metadata.title} />}
    </section>
  );
}
