"use client";

import { useCallback, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { categoryLabel, loadProfile, openRecord, RECORD_CATEGORIES, type RecordEntry } from "@/lib/records/client";
import { accessesOf, grantsOfShares } from "@/lib/fhir";
import { loadAccessLog, loadCurrentShares } from "@/lib/sharing/client";
import { ExportPanel } from "@/components/fhir/ExportPanel";
import { ImportPanel } from "@/components/fhir/ImportPanel";
import { Timeline } from "@/components/timeline/Timeline";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useUploadLimit } from "@/components/UploadLimit";
import { AccessLog } from "@/components/sharing/AccessLog";
import { GrantForm } from "@/components/sharing/GrantForm";
import { SharesPanel } from "@/components/sharing/SharesPanel";
import { UploadForm } from "./UploadForm";
import { RecordList } from "@/components/records/RecordList";
import { RecordViewer } from "@/components/records/RecordViewer";
import { ProfilePanel } from "./ProfilePanel";
import { useMyRecords } from "@/components/records/useMyRecords";
import { KeyUnlockedBar } from "@/components/keys/KeyUnlockedBar";
import { PatientRequests } from "@/components/access-requests/PatientRequests";
import { PendingRequestsBadge } from "@/components/access-requests/PendingRequestsBadge";
import { KeysTab } from "@/components/rotation/KeysTab";
import { EmergencyAccessLog } from "@/components/emergency/EmergencyAccessLog";
import { PatientEmergencyPanel } from "@/components/emergency/PatientEmergencyPanel";
import { EmergencyCatchUp } from "@/components/emergency/EmergencyCatchUp";
import { RetryAlert } from "@/components/ui/RetryAlert";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;

const TABS = [
  { id: "records", label: "My records" },
  { id: "share", label: "Share" },
  { id: "shares", label: "Who can see what" },
  { id: "requests", label: "Requests" },
  { id: "log", label: "Access log" },
  { id: "timeline", label: "Timeline" },
  { id: "fhir", label: "Export / import" },
  { id: "keys", label: "Keys" },
  { id: "emergency", label: "Emergency access" },
] as const;
type TabId = (typeof TABS)[number]["id"];

/** The unlocked patient's home: records (from the chain, decrypted here), upload, open, profile; sharing and the access log. */
export function Dashboard({ chain, keyPair, onLock }: { chain: BrowserChain; keyPair: UnlockedKey; onLock: () => void }) {
  const id = useId();
  const maxUploadBytes = useUploadLimit();
  const [uploading, setUploading] = useState(false);
  const [opened, setOpened] = useState<OkEntry>();
  const [notice, setNotice] = useState<string>();
  const [shareWarnings, setShareWarnings] = useState<string[]>([]);
  const [tab, setTab] = useState<TabId>("records");
  const tabRefs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  // "My records" shows the newest page; the other tabs and the upload's duplicate check load the whole history.
  const { loaded, reload, more } = useMyRecords(chain, keyPair, tab !== "records" || uploading);

  const entries = useMemo(() => (loaded.status === "ready" ? loaded.value : []), [loaded]);
  const readable = useMemo(() => entries.filter((entry): entry is OkEntry => entry.status === "ok"), [entries]);
  // Record titles, decrypted in this browser, for the sharing views (the server only knows record ids).
  const titles = useMemo(() => new Map(readable.map((entry) => [entry.chain.recordId, entry.metadata.title])), [readable]);
  const timelineItems = useMemo(() => readable.map((entry) => ({ id: entry.chain.recordId, ...entry.metadata })), [readable]);
  // FHIR export: the profile, the grants and the access log, gathered and decrypted in this browser.
  const collectExport = useCallback(async () => {
    const [profile, shares, log] = await Promise.all([loadProfile(keyPair.secretKey), loadCurrentShares(), loadAccessLog(chain, keyPair.address)]);
    return { patient: { address: keyPair.address, ...profile }, grants: grantsOfShares(shares), accesses: accessesOf(log.accesses) };
  }, [chain, keyPair]);

  const select = (next: TabId) => {
    setTab(next);
    setNotice(undefined);
    setShareWarnings([]);
  };
  // Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern, automatic activation).
  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const at = TABS.findIndex((entry) => entry.id === tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = TABS[(to + TABS.length) % TABS.length]!.id;
    select(next);
    tabRefs.current[next]?.focus();
  };

  const recordsLoading = loaded.status === "loading" && <p className="text-slate-600">Loading your records from the chain…</p>;
  const recordsError = loaded.status === "error" && (
    <RetryAlert title="Could not load your records" message={loaded.message} onRetry={reload} />
  );

  return (
    <div className="space-y-8">
      <KeyUnlockedBar onLock={onLock} />
      <EmergencyCatchUp chain={chain} keyPair={keyPair} />

      {notice && <Alert tone="success">{notice}</Alert>}
      {shareWarnings.length > 0 && (
        <Alert tone="warning" title="Not shared with every doctor holding an all-records grant" testId="upload-share-warning">
          <ul className="list-disc pl-5">
            {shareWarnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </Alert>
      )}

      {opened ? (
        <RecordViewer entry={opened} keyPair={keyPair} onClose={() => setOpened(undefined)} />
      ) : (
        <>
          <div role="tablist" aria-label="Your health records" className="flex flex-wrap gap-1 border-b border-slate-200" data-testid="patient-tabs">
            {TABS.map((entry) => (
              <button
                key={entry.id}
                ref={(element) => {
                  tabRefs.current[entry.id] = element;
                }}
                type="button"
                role="tab"
                id={`${id}-tab-${entry.id}`}
                aria-selected={tab === entry.id}
                aria-controls={`${id}-panel-${entry.id}`}
                tabIndex={tab === entry.id ? 0 : -1}
                onClick={() => select(entry.id)}
                onKeyDown={onTabKey}
                className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium ${tab === entry.id ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
              >
                {entry.label}
                {entry.id === "requests" && <PendingRequestsBadge />}
              </button>
            ))}
          </div>

          <div role="tabpanel" id={`${id}-panel-${tab}`} aria-labelledby={`${id}-tab-${tab}`} tabIndex={0} className="space-y-8 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600">
            {tab === "records" && (
              <>
                <section aria-labelledby="upload-heading" className="space-y-3">
                  <div className="flex items-center justify-between">
                    <h2 id="upload-heading" className="text-xl font-semibold">
                      Add a record
                    </h2>
                    {!uploading && (
                      <Button
                        onClick={() => {
                          setNotice(undefined);
                          setShareWarnings([]);
                          setUploading(true);
                        }}
                      >
                        Upload a PDF
                      </Button>
                    )}
                  </div>
                  {uploading && (
                    <UploadForm
                      chain={chain}
                      maxBytes={maxUploadBytes}
                      keyPair={keyPair}
                      existing={entries}
                      onCancel={() => setUploading(false)}
                      onUploaded={(title, outcome) => {
                        setUploading(false);
                        setNotice(`“${title}” was encrypted, stored and recorded on chain.`);
                        setShareWarnings(outcome?.skipped.map((entry) => entry.message) ?? []);
                        reload();
                      }}
                    />
                  )}
                </section>

                <section aria-labelledby="records-heading" className="space-y-3">
                  <h2 id="records-heading" className="text-xl font-semibold">
                    My records
                  </h2>
                  {recordsLoading}
                  {recordsError}
                  {loaded.status === "ready" && <RecordList entries={loaded.value} onOpen={setOpened} onAdd={() => setUploading(true)} more={more} />}
                </section>

                <ProfilePanel keyPair={keyPair} />
              </>
            )}

            {tab === "share" && (
              <section aria-labelledby="share-heading" className="space-y-3">
                <h2 id="share-heading" className="text-xl font-semibold">
                  Share records with a doctor
                </h2>
                <p className="text-sm text-slate-600">
                  Choose a registered doctor, the records (or all of them, including future ones) and how long. Your browser re-wraps each record&apos;s key for the doctor;
                  the server never sees a record in the clear.
                </p>
                {recordsLoading}
                {recordsError}
                {loaded.status === "ready" && <GrantForm chain={chain} keyPair={keyPair} records={readable} />}
              </section>
            )}

            {tab === "shares" && (
              <section aria-labelledby="shares-heading" className="space-y-3">
                <h2 id="shares-heading" className="text-xl font-semibold">
                  Who can see what
                </h2>
                <SharesPanel chain={chain} keyPair={keyPair} titles={titles} />
              </section>
            )}

            {tab === "timeline" && (
              <section aria-labelledby="timeline-heading" className="space-y-3">
                <h2 id="timeline-heading" className="text-xl font-semibold">
                  Timeline
                </h2>
                {recordsLoading}
                {recordsError}
                {loaded.status === "ready" && (
                  <Timeline
                    items={timelineItems}
                    categories={RECORD_CATEGORIES}
                    heading="Your history"
                    onOpen={(recordId) => setOpened(readable.find((entry) => entry.chain.recordId === recordId))}
                  />
                )}
              </section>
            )}

            {tab === "fhir" && (
              <>
                <section aria-labelledby="export-heading" className="space-y-3">
                  <h2 id="export-heading" className="text-xl font-semibold">
                    Export as FHIR
                  </h2>
                  {recordsLoading}
                  {recordsError}
                  {loaded.status === "ready" && (
                    <ExportPanel chain={chain} records={readable} open={async (entry) => (await openRecord(entry.chain, keyPair)).bytes} collect={collectExport} fileBase={`ehr-${keyPair.address}`}>
                      <p className="text-sm text-slate-600">
                        One FHIR R4 Bundle with your profile, your {readable.length} record{readable.length === 1 ? "" : "s"} ({[...new Set(readable.map((entry) => categoryLabel(entry.metadata.category)))].join(", ") || "none"}), the grants you
                        gave and the access log. It is built in this browser from the decrypted records: keep the file safe, it is not encrypted.
                      </p>
                    </ExportPanel>
                  )}
                </section>
                <section aria-labelledby="import-heading" className="space-y-3">
                  <h2 id="import-heading" className="text-xl font-semibold">
                    Import from FHIR
                  </h2>
                  {/* Stays mounted while the list reloads after an import, so that its summary stays on screen. */}
                  <ImportPanel chain={chain} keyPair={keyPair} maxBytes={maxUploadBytes} existing={entries} existingReady={loaded.status === "ready"} onImported={reload} />
                </section>
              </>
            )}

            {tab === "emergency" && (
              <section aria-labelledby="emergency-heading" className="space-y-3">
                <h2 id="emergency-heading" className="text-xl font-semibold">
                  Emergency access
                </h2>
                <PatientEmergencyPanel chain={chain} keyPair={keyPair} />
              </section>
            )}

            {tab === "requests" && (
              <section aria-labelledby="requests-heading" className="space-y-3">
                <h2 id="requests-heading" className="text-xl font-semibold">
                  Access requests
                </h2>
                <PatientRequests chain={chain} keyPair={keyPair} records={loaded.status === "ready" ? readable : undefined} />
              </section>
            )}

            {tab === "keys" && <KeysTab chain={chain} keyPair={keyPair} onLock={onLock} onRecordsChanged={reload} />}

            {tab === "log" && (
              <section aria-labelledby="log-heading" className="space-y-3">
                <h2 id="log-heading" className="text-xl font-semibold">
                  Access log
                </h2>
                <EmergencyAccessLog chain={chain} keyPair={keyPair} titles={titles} onRenew={() => select("emergency")} />
                <AccessLog chain={chain} patient={keyPair.address} titles={titles} />
              </section>
            )}
          </div>
        </>
      )}
    </div>
  );
}
