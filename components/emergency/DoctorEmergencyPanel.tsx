"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { BrowserChain, ChainRecord } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { latestRequest, openEmergencyRecord, requestEmergency, startEmergencySession, type EmergencySession, type RequestProgress } from "@/lib/emergency/client/doctor";
import type { EmergencyRequestView } from "@/lib/emergency/client/chain";
import { EMERGENCY_REASONS, MAX_NOTE_LENGTH, NOTE_REQUIRED_REASON, reasonLabel } from "@/lib/emergency/reasons";
import { categoryLabel, IntegrityError, INTEGRITY_MESSAGE, type OpenProgress, type RecordMetadata } from "@/lib/records/client";
import { txDetail } from "@/components/keys/RegisterSteps";
import { PdfViewer } from "@/components/pdf/PdfViewer";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { saveFile } from "@/components/ui/download";

const when = (seconds: number) => new Date(seconds * 1000).toLocaleString();
const isAddress = (value: string) => /^0x[0-9a-fA-F]{40}$/.test(value.trim());

function requestProgressText(progress: RequestProgress): string {
  switch (progress.step) {
    case "check":
      return "Checking the patient's emergency opt-in on chain…";
    case "seal":
      return "Sealing your note for the patient and the administrators…";
    case "sign":
      return `Recording the request on chain (requestEmergencyAccess): ${txDetail(progress.tx)}`;
    case "note":
      return "Storing the sealed note…";
    case "done":
      return `Request ${progress.requestId} recorded.`;
  }
}

/** The request's state; an approval whose window is over on chain (or ended by a key renewal) reads "ended". */
function stateOf(request: (EmergencyRequestView & { live: boolean }) | undefined): string {
  if (!request) return "none";
  if (request.state === "approved") return request.live ? "approved" : "ended";
  return request.state;
}

/** A doctor's break-glass access: request by patient address with a reason, follow the approvals, open the records within the window. */
export function DoctorEmergencyPanel({ chain, keyPair }: { chain: BrowserChain; keyPair: UnlockedKey }) {
  const id = useId();
  const [patient, setPatient] = useState("");
  const [reason, setReason] = useState<number>(0);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [request, setRequest] = useState<EmergencyRequestView & { live: boolean }>();
  const [session, setSession] = useState<EmergencySession>();
  const [opened, setOpened] = useState<ChainRecord>();

  useEffect(
    () => () => {
      session?.secretKey.fill(0);
    },
    [session],
  );

  const check = async (address = patient) => {
    setError(undefined);
    if (!isAddress(address)) return setError("Enter the patient's wallet address (0x followed by 40 hex digits).");
    try {
      setRequest(await latestRequest(chain, address.trim()));
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!isAddress(patient)) return setError("Enter the patient's wallet address (0x followed by 40 hex digits).");
    if (!reason) return setError("Choose a reason.");
    if (reason === NOTE_REQUIRED_REASON && !note.trim()) return setError("Explain the reason in the note.");
    setBusy("Starting…");
    try {
      await requestEmergency(chain, { patient: patient.trim(), reasonCode: reason, note }, (progress) => setBusy(requestProgressText(progress)));
      await check();
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(undefined);
    }
  };

  const start = async () => {
    setError(undefined);
    setBusy("Rebuilding the patient's emergency key from the released shares…");
    try {
      session?.secretKey.fill(0);
      setSession(await startEmergencySession(chain, keyPair, patient.trim()));
    } catch (cause) {
      setSession(undefined);
      setError(cause instanceof Error ? cause.message : String(cause));
    } finally {
      setBusy(undefined);
    }
  };

  const state = stateOf(request);
  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-red-200 bg-white p-6 shadow-sm" data-testid="doctor-emergency">
      <h2 id={`${id}-heading`} className="text-xl font-semibold">
        Emergency access
      </h2>
      <p className="text-sm text-slate-600">
        For a patient who opted in and cannot grant you access now. Administrators must approve; then you may open the patient&apos;s emergency records for a limited
        time, and every opening is in the patient&apos;s access log.
      </p>
      <form noValidate onSubmit={(event) => void submit(event)} className="space-y-3">
        <Field id={`${id}-patient`} label="Patient address" required>
          {(control) => <input {...control} value={patient} onChange={(event) => setPatient(event.target.value)} onBlur={() => isAddress(patient) && void check()} placeholder="0x…" />}
        </Field>
        <Field id={`${id}-reason`} label="Reason" required>
          {(control) => (
            <select {...control} value={reason} onChange={(event) => setReason(Number(event.target.value))}>
              <option value={0}>Choose a reason…</option>
              {EMERGENCY_REASONS.map((entry) => (
                <option key={entry.code} value={entry.code}>
                  {entry.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${id}-note`} label="Note" hint="Optional (required for “Other”). Encrypted for the patient and the administrators; never written on chain in the clear.">
          {(control) => <textarea {...control} rows={2} maxLength={MAX_NOTE_LENGTH} value={note} onChange={(event) => setNote(event.target.value)} />}
        </Field>
        <div className="flex flex-wrap gap-3">
          <Button type="submit" disabled={busy !== undefined}>
            Request emergency access
          </Button>
          <Button variant="secondary" onClick={() => void check()} disabled={busy !== undefined}>
            Check status
          </Button>
        </div>
      </form>
      {busy && (
        <p role="status" className="text-sm text-slate-600">
          {busy}
        </p>
      )}
      {error && (
        <Alert tone="error" testId="emergency-refused">
          {error}
        </Alert>
      )}
      {request && (
        <div data-testid="emergency-request-status" data-state={state} data-request-id={request.requestId} className="rounded-md border border-slate-200 p-3 text-sm">
          <p>
            Request {request.requestId} ({reasonLabel(request.reasonCode)}), asked {when(request.requestedAt)}: {request.approvals} of {request.threshold} approvals ·{" "}
            {state === "approved" ? `approved until ${when(request.grantedUntil)}` : state === "ended" ? `the window ended ${when(request.grantedUntil)}` : state}
          </p>
          <Button className="mt-2" onClick={() => void start()} disabled={busy !== undefined}>
            Open emergency records
          </Button>
        </div>
      )}
      {session && !opened && (
        <div className="space-y-2" data-testid="emergency-records">
          <p className="text-sm">
            Emergency access until {when(session.grantedUntil)}: {session.records.length} record{session.records.length === 1 ? "" : "s"}.
          </p>
          <ul className="space-y-2">
            {session.records.map((record) => (
              <li key={record.recordId} data-testid="emergency-record" data-record-id={record.recordId} className="flex items-center justify-between rounded border border-slate-200 p-2 text-sm">
                <span>Record {record.index + 1}</span>
                <Button onClick={() => setOpened(record)} aria-label={`Open emergency record ${record.index + 1}`}>
                  Open
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {session && opened && <EmergencyViewer chain={chain} session={session} record={opened} onClose={() => setOpened(undefined)} />}
    </section>
  );
}

type ViewState = { status: "opening"; text: string } | { status: "ready"; bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata } | { status: "error"; message: string };

function openText(progress: OpenProgress): string {
  switch (progress.step) {
    case "log":
      return `Recording this opening in the patient's access log (logAccess): ${txDetail(progress.tx)}`;
    case "key":
      return "Fetching the record's emergency key…";
    case "download":
      return "Downloading and decrypting…";
    case "verify":
      return "Checking the file's integrity…";
  }
}

function EmergencyViewer({ chain, session, record, onClose }: { chain: BrowserChain; session: EmergencySession; record: ChainRecord; onClose: () => void }) {
  const [state, setState] = useState<ViewState>({ status: "opening", text: "Starting…" });
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    openEmergencyRecord(chain, session, record, (progress) => setState({ status: "opening", text: openText(progress) }))
      .then(({ bytes, metadata }) => setState({ status: "ready", bytes, metadata }))
      .catch((error: unknown) => setState({ status: "error", message: error instanceof IntegrityError ? INTEGRITY_MESSAGE : error instanceof Error ? error.message : String(error) }));
  }, [chain, session, record]);
  return (
    <div className="space-y-3" data-testid="emergency-viewer">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 className="text-lg font-semibold">{state.status === "ready" ? state.metadata.title : `Record ${record.index + 1}`}</h3>
          {state.status === "ready" && (
            <p className="text-sm text-slate-700">
              {categoryLabel(state.metadata.category)} · {state.metadata.hospital} · {state.metadata.admissionDate} to {state.metadata.dischargeDate}
            </p>
          )}
        </div>
        <div className="flex gap-3">
          {state.status === "ready" && <Button onClick={() => saveFile([state.bytes], state.metadata.fileName, "application/pdf")}>Download</Button>}
          <Button variant="secondary" onClick={onClose}>
            Back to emergency records
          </Button>
        </div>
      </div>
      {state.status === "opening" && (
        <p role="status" className="break-all text-sm text-slate-600">
          {state.text}
        </p>
      )}
      {state.status === "error" && (
        <Alert tone="error" testId="emergency-open-refused">
          {state.message}
        </Alert>
      )}
      {state.status === "ready" && <PdfViewer bytes={state.bytes} title={state.metadata.title} />}
    </div>
  );
}
