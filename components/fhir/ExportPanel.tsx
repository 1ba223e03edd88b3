"use client";

import { useId, useState, type ReactNode } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { buildExportBundle, zipExport, type ExportAccess, type ExportGrant, type ExportPerson } from "@/lib/fhir";
import { categoryLabel, type RecordEntry } from "@/lib/records/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { saveFile } from "@/components/ui/download";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;

/** What the export needs besides the records: the patient, the grants, the accesses (each role gathers its own). */
export interface ExportContext {
  patient: ExportPerson;
  grants: ExportGrant[];
  accesses: ExportAccess[];
}

type State = { status: "idle" } | { status: "running"; text: string } | { status: "done"; text: string } | { status: "error"; text: string };

/**
 * Exports records as one FHIR R4 Bundle built in this browser: the PDFs inline (base64 in the JSON) or beside
 * bundle.json in a zip. `open` decrypts one record (the doctor's logs the access on chain first); `collect`
 * gathers the patient, the grants and the accesses.
 */
export function ExportPanel<E extends OkEntry>({
  chain,
  records,
  open,
  collect,
  fileBase,
  children,
}: {
  chain: BrowserChain;
  records: readonly E[];
  open: (entry: E) => Promise<Uint8Array>;
  collect: () => Promise<ExportContext>;
  fileBase: string;
  /** Extra explanation above the button. */
  children?: ReactNode;
}) {
  const id = useId();
  const [mode, setMode] = useState<"inline" | "zip">("inline");
  const [state, setState] = useState<State>({ status: "idle" });

  const run = async () => {
    try {
      setState({ status: "running", text: "Reading your profile, grants and access log…" });
      const context = await collect();
      const chainId = Number(await chain.web3.eth.getChainId());
      const contract = String(chain.contracts.patient.options.address ?? "");
      const opened = [];
      for (const [index, entry] of records.entries()) {
        setState({ status: "running", text: `Decrypting record ${index + 1} of ${records.length}: ${entry.metadata.title}…` });
        const bytes = await open(entry);
        opened.push({ recordId: entry.chain.recordId, cid: entry.cid, metadata: { ...entry.metadata, categoryLabel: categoryLabel(entry.metadata.category) }, bytes });
      }
      setState({ status: "running", text: "Building the FHIR Bundle…" });
      const result = buildExportBundle({ chainId, contract, attachments: mode, ...context, records: opened });
      const day = new Date().toISOString().slice(0, 10);
      if (mode === "inline") saveFile([JSON.stringify(result.bundle, null, 2)], `${fileBase}-${day}.fhir.json`, "application/fhir+json");
      else saveFile([zipExport(result) as Uint8Array<ArrayBuffer>], `${fileBase}-${day}.fhir.zip`, "application/zip");
      const counts = (type: string) => (result.bundle.entry ?? []).filter((entry) => entry.resource?.resourceType === type).length;
      setState({
        status: "done",
        text: `Exported ${counts("DocumentReference")} record${counts("DocumentReference") === 1 ? "" : "s"}, ${counts("Consent")} consent${counts("Consent") === 1 ? "" : "s"} and ${counts("AuditEvent")} access event${counts("AuditEvent") === 1 ? "" : "s"}${mode === "zip" ? " as a zip (bundle.json and the PDFs)" : ""}.`,
      });
    } catch (error) {
      setState({ status: "error", text: error instanceof Error ? error.message : String(error) });
    }
  };

  const running = state.status === "running";
  return (
    <div className="space-y-4" data-testid="fhir-export">
      {children}
      <fieldset className="space-y-2" disabled={running}>
        <legend className="text-sm font-medium">PDF files</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name={`${id}-mode`} value="inline" checked={mode === "inline"} onChange={() => setMode("inline")} />
          Inside the JSON file (base64), one file to keep
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name={`${id}-mode`} value="zip" checked={mode === "zip"} onChange={() => setMode("zip")} />
          As separate files in a zip, beside bundle.json
        </label>
      </fieldset>
      <Button onClick={run} disabled={running || records.length === 0}>
        Export FHIR bundle
      </Button>
      {records.length === 0 && <p className="text-sm text-slate-600">There is no record to export yet.</p>}
      {running && (
        <p className="text-sm text-slate-700" role="status" aria-live="polite" data-testid="fhir-export-progress">
          {state.text}
        </p>
      )}
      {state.status === "done" && (
        <Alert tone="success" testId="fhir-export-done">
          {state.text}
        </Alert>
      )}
      {state.status === "error" && (
        <Alert tone="error" title="The export failed" testId="fhir-export-error">
          {state.text}
        </Alert>
      )}
    </div>
  );
}
