"use client";

import { useId, useMemo, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { formatExpiry, isExpired, openSharedRecord, type PatientOfDoctor, type SharedEntry } from "@/lib/doctor/client";
import { patientOfRecord } from "@/lib/records/client/list";
import { RECORD_CATEGORIES } from "@/lib/records/client";
import { grantsOf } from "@/lib/fhir";
import { ExportPanel } from "@/components/fhir/ExportPanel";
import { Timeline } from "@/components/timeline/Timeline";
import { RecordList } from "@/components/records/RecordList";
import { RecordViewer } from "@/components/records/RecordViewer";
import { UploadForm } from "@/components/patient/UploadForm";
import { useUploadLimit } from "@/components/UploadLimit";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useMyPatients } from "@/components/doctor/useMyPatients";
import { KeyUnlockedBar } from "@/components/keys/KeyUnlockedBar";
import { DoctorRequests } from "@/components/access-requests/DoctorRequests";
import { RotateKeyPanel } from "@/components/rotation/RotateKeyPanel";
import { DoctorEmergencyPanel } from "@/components/emergency/DoctorEmergencyPanel";
import { RetryAlert } from "@/components/ui/RetryAlert";

type OkShared = Extract<SharedEntry, { status: "ok" }>;

/** "Access until …", "No expiry" or "Access expired on …", and whether the all-records grant covers it. */
function AccessLine({ entry }: { entry: SharedEntry }) {
  const { expiresAt, allRecords } = entry.access;
  const expired = isExpired(expiresAt);
  const text = expiresAt === 0 ? "Access with no expiry" : expired ? `Access expired on ${formatExpiry(expiresAt)}` : `Access until ${formatExpiry(expiresAt)}`;
  return (
    <p className={`text-xs ${expired ? "text-red-700" : "text-slate-600"}`} data-testid="record-expiry" data-expires-at={expiresAt}>
      {text}
      {allRecords ? " · all-records grant" : ""}
    </p>
  );
}

function grantSummary(patient: PatientOfDoctor): string {
  const records = patient.entries.length;
  const parts = [`${records} record${records === 1 ? "" : "s"} shared`];
  const all = patient.allRecords;
  if (all?.granted) {
    parts.push(
      all.expiresAt === 0 ? "all records, no expiry" : isExpired(all.expiresAt) ? `all records, expired on ${formatExpiry(all.expiresAt)}` : `all records until ${formatExpiry(all.expiresAt)}`,
    );
  }
  return parts.join(" · ");
}

/** The unlocked doctor's home: "My patients", their shared records (decrypted here), open, add a record. */
export function DoctorHome({ chain, keyPair, onLock }: { chain: BrowserChain; keyPair: UnlockedKey; onLock: () => void }) {
  const id = useId();
  const maxUploadBytes = useUploadLimit();
  const { loaded, reload, more } = useMyPatients(chain, keyPair);
  const [selected, setSelected] = useState<string>();
  const [find, setFind] = useState("");
  const [opened, setOpened] = useState<OkShared>();
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string>();

  const patients = useMemo(() => (loaded.status === "ready" ? loaded.value : []), [loaded]);
  const shownPatients = useMemo(() => {
    const text = find.trim().toLowerCase();
    return text ? patients.filter((patient) => patient.patient.includes(text)) : patients;
  }, [patients, find]);
  // With a single patient there is nothing to choose.
  const current = patients.find((patient) => patient.patient === selected) ?? (patients.length === 1 ? patients[0] : undefined);
  // The records of the selected patient this doctor can read now: the timeline and the FHIR export.
  const readable = useMemo(() => (current?.entries ?? []).filter((entry): entry is OkShared => entry.status === "ok" && entry.access.readable && !isExpired(entry.access.expiresAt)), [current]);
  const timelineItems = useMemo(() => readable.map((entry) => ({ id: entry.chain.recordId, ...entry.metadata })), [readable]);

  const bar = <KeyUnlockedBar onLock={onLock} />;

  if (opened) {
    return (
      <div className="space-y-8">
        {bar}
        <RecordViewer
          entry={opened}
          keyPair={keyPair}
          backLabel="Back to my patients"
          onClose={() => setOpened(undefined)}
          open={(onProgress) => openSharedRecord(chain, { ...opened.chain, expiresAt: opened.access.expiresAt }, keyPair, onProgress)}
        >
          <p className="break-all text-sm text-slate-600">Patient {patientOfRecord(opened.chain.recordId)}</p>
          <AccessLine entry={opened} />
        </RecordViewer>
      </div>
    );
  }

  if (adding && current) {
    return (
      <div className="space-y-8">
        {bar}
        <section aria-labelledby={`${id}-add-heading`} className="space-y-3">
          <h2 id={`${id}-add-heading`} className="text-xl font-semibold">
            Add a record for patient <span className="break-all font-mono text-base">{current.patient}</span>
          </h2>
          <p className="text-sm text-slate-600">
            This patient gave you access to all their records, so you may add one. It is encrypted in this browser for the patient, for you and for
            every doctor the patient gave the same access; the record shows you as its author.
          </p>
          <UploadForm
            chain={chain}
            keyPair={keyPair}
            maxBytes={maxUploadBytes}
            patient={current.patient}
            existing={current.entries}
            onCancel={() => setAdding(false)}
            onUploaded={(title) => {
              setAdding(false);
              setNotice(`“${title}” was encrypted, stored and recorded on chain for patient ${current.patient}.`);
              reload();
            }}
          />
        </section>
      </div>
    );
  }

  return (
    <div className="space-y-8">
      {bar}
      {notice && <Alert tone="success">{notice}</Alert>}
      <section aria-labelledby={`${id}-patients-heading`} className="space-y-3" data-testid="my-patients">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id={`${id}-patients-heading`} className="text-xl font-semibold">
            My patients
          </h2>
          <Button variant="secondary" onClick={reload} disabled={loaded.status === "loading"}>
            Refresh
          </Button>
        </div>
        {loaded.status === "loading" && <p className="text-slate-600">Loading the records shared with you…</p>}
        {loaded.status === "error" && (
          <RetryAlert title="Could not load your patients" message={loaded.message} onRetry={reload} />
        )}
        {loaded.status === "ready" && patients.length === 0 && (
          <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center" data-testid="patients-empty">
            <p className="font-medium">No patient has shared records with you yet.</p>
            <p className="mt-1 text-sm text-slate-600">When a patient grants you access, they appear here with the records you may open.</p>
          </div>
        )}
        {patients.length > 1 && (
          <div role="search">
            <label htmlFor={`${id}-find`} className="block text-sm font-medium">
              Find a patient
            </label>
            <input
              id={`${id}-find`}
              type="search"
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
              value={find}
              onChange={(event) => setFind(event.target.value)}
              placeholder="Wallet address"
              aria-describedby={more ? `${id}-find-hint` : undefined}
            />
            {more && (
              <p id={`${id}-find-hint`} className="mt-1 text-xs text-slate-600">
                Searches the {patients.length} patients shown; “Load more patients” below adds earlier ones.
              </p>
            )}
          </div>
        )}
        {patients.length > 0 && (
          <ul className="grid gap-3 sm:grid-cols-2" aria-label="Patients">
            {shownPatients.map((patient) => {
              const active = current?.patient === patient.patient;
              return (
                <li key={patient.patient} data-testid="patient-item" data-patient={patient.patient}>
                  <button
                    type="button"
                    aria-pressed={active}
                    aria-label={`Records of patient ${patient.patient}`}
                    onClick={() => setSelected(patient.patient)}
                    className={`w-full rounded-lg border p-4 text-left shadow-sm ${active ? "border-brand-600 bg-brand-50" : "border-slate-200 bg-white hover:bg-slate-50"}`}
                  >
                    <span className="block break-all font-mono text-sm">{patient.patient}</span>
                    <span className="mt-1 block text-xs text-slate-600">{grantSummary(patient)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {more && (
          <div className="flex flex-wrap items-center gap-3" data-testid="patients-more">
            <Button variant="secondary" onClick={more.onLoadMore} disabled={more.loading}>
              {more.loading ? "Loading more patients…" : "Load more patients"}
            </Button>
            <p className="sr-only" role="status">
              {more.loading ? "Loading more patients…" : ""}
            </p>
            {more.error && (
              <p role="alert" className="text-sm text-red-700">
                {more.error}
              </p>
            )}
          </div>
        )}
      </section>

      {current && (
        <section aria-labelledby={`${id}-records-heading`} className="space-y-3" data-testid="patient-records" data-patient={current.patient}>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <h2 id={`${id}-records-heading`} className="text-xl font-semibold">
              Records of patient <span className="break-all font-mono text-base">{current.patient}</span>
            </h2>
            {current.canAdd && (
              <Button
                onClick={() => {
                  setNotice(undefined);
                  setAdding(true);
                }}
              >
                Add a record for this patient
              </Button>
            )}
          </div>
          <RecordList
            entries={current.entries}
            viewer={keyPair.address}
            onOpen={(entry) => {
              setNotice(undefined);
              setOpened(entry);
            }}
            details={(entry) => <AccessLine entry={entry} />}
            empty={
              <>
                <p className="font-medium">No record of this patient is shared with you now.</p>
                {current.canAdd && <p className="mt-1 text-sm text-slate-600">They gave you access to all their records: you may add one.</p>}
              </>
            }
          />
        </section>
      )}

      {current && readable.length > 0 && (
        <section aria-labelledby={`${id}-timeline-heading`} className="space-y-3" data-testid="doctor-timeline">
          <h2 id={`${id}-timeline-heading`} className="text-xl font-semibold">
            Timeline of the shared records
          </h2>
          <Timeline
            items={timelineItems}
            categories={RECORD_CATEGORIES}
            heading="Shared history"
            onOpen={(recordId) => {
              setNotice(undefined);
              setOpened(readable.find((entry) => entry.chain.recordId === recordId));
            }}
          />
        </section>
      )}

      {current && readable.length > 0 && (
        <section aria-labelledby={`${id}-export-heading`} className="space-y-3">
          <h2 id={`${id}-export-heading`} className="text-xl font-semibold">
            Export the shared records as FHIR
          </h2>
          <ExportPanel
            key={current.patient}
            chain={chain}
            records={readable}
            open={async (entry) => (await openSharedRecord(chain, { ...entry.chain, expiresAt: entry.access.expiresAt }, keyPair)).bytes}
            collect={async () => ({
              patient: { address: current.patient },
              grants: grantsOf(
                { address: keyPair.address, name: "You (the exporting doctor)" },
                current.allRecords,
                current.entries.map((entry) => ({ recordId: entry.chain.recordId, ...entry.access })),
              ),
              accesses: [],
            })}
            fileBase={`ehr-shared-${current.patient}`}
          >
            <p className="text-sm text-slate-600">
              The {readable.length} record{readable.length === 1 ? "" : "s"} you may open now, with what this patient granted you, as one FHIR R4 Bundle built in this
              browser. Each record is opened as when you view it: your wallet first records the access in the patient&apos;s access log (one transaction per record).
            </p>
          </ExportPanel>
        </section>
      )}

      <DoctorEmergencyPanel chain={chain} keyPair={keyPair} />

      <DoctorRequests chain={chain} keyPair={keyPair} />

      <RotateKeyPanel chain={chain} keyPair={keyPair} role="doctor" onLock={onLock} />
    </div>
  );
}
