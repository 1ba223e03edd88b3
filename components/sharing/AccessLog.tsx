"use client";

import { useId, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { auditDecision, auditRequest, describeExpiry, formatTime, HISTORY_KINDS, loadAccessLog, recordLabel } from "@/lib/sharing/client";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";
import { RetryAlert } from "@/components/ui/RetryAlert";


const Time = ({ seconds }: { seconds: number }) => <time dateTime={new Date(seconds * 1000).toISOString()}>{formatTime(seconds)}</time>;

/** The access log: record openings (on chain), grant history (on chain), and the key store's audit of key releases and refusals. */
export function AccessLog({ chain, patient, titles }: { chain: BrowserChain; patient: string; titles: ReadonlyMap<string, string> }) {
  const id = useId();
  const { loaded, reload: refresh } = useLoaded(() => loadAccessLog(chain, patient), "The access log could not be read.", [chain, patient]);
  const [includeOwn, setIncludeOwn] = useState(false);


  if (loaded.status === "loading") return <p className="text-slate-600">Reading your access log…</p>;
  if (loaded.status === "error") {
    return <RetryAlert title="The access log could not be read" message={loaded.message} onRetry={refresh} />;
  }
  const { accesses, history } = loaded.value;
  const own = loaded.value.audit.filter((entry) => entry.actor === patient.toLowerCase()).length;
  const audit = includeOwn ? loaded.value.audit : loaded.value.audit.filter((entry) => entry.actor !== patient.toLowerCase());
  const title = (recordId: string) => recordLabel(recordId, titles);

  return (
    <div className="space-y-8">
      <div className="flex justify-end">
        <Button variant="secondary" onClick={refresh}>
          Refresh
        </Button>
      </div>

      <section aria-labelledby={`${id}-accesses`} className="space-y-2">
        <h3 id={`${id}-accesses`} className="text-lg font-semibold">
          Record openings
        </h3>
        <p className="text-sm text-slate-600">Every time a doctor opened one of your records, as recorded on chain. Newest first.</p>
        {accesses.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm" data-testid="accesses-empty">
            No doctor has opened any of your records.
          </p>
        ) : (
          <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="accesses-list">
            {accesses.map((entry) => (
              <li key={`${entry.txHash}-${entry.recordId}`} className="p-3 text-sm" data-testid="access-entry" data-doctor={entry.doctor} data-record-id={entry.recordId}>
                <span className="font-medium">{entry.who}</span> opened <span className="font-medium">“{title(entry.recordId)}”</span>
                <span className="block text-xs text-slate-600">
                  <Time seconds={entry.time} /> · <span className="break-all font-mono">transaction {entry.txHash}</span>
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby={`${id}-history`} className="space-y-2">
        <h3 id={`${id}-history`} className="text-lg font-semibold">
          Grants and revocations
        </h3>
        {history.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm" data-testid="history-empty">
            You have not granted access to anyone yet.
          </p>
        ) : (
          <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="history-list">
            {history.map((entry, index) => (
              <li key={`${entry.txHash}-${entry.kind}-${entry.recordId ?? ""}-${index}`} className="p-3 text-sm" data-testid="history-entry" data-kind={entry.kind} data-doctor={entry.doctor}>
                You {HISTORY_KINDS[entry.kind].verb}
                {entry.recordId !== undefined && (
                  <>
                    {" "}
                    <span className="font-medium">“{title(entry.recordId)}”</span>
                  </>
                )}{" "}
                {HISTORY_KINDS[entry.kind].preposition} <span className="font-medium">{entry.who}</span>
                {entry.expiresAt !== undefined && <> ({describeExpiry(entry.expiresAt)})</>}
                <span className="block text-xs text-slate-600">
                  <Time seconds={entry.time} />
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby={`${id}-audit`} className="space-y-2">
        <h3 id={`${id}-audit`} className="text-lg font-semibold">
          Key store audit
        </h3>
        <p className="text-sm text-slate-600">Every time the key store released or refused a key or a file of your records, and to whom.</p>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={includeOwn} onChange={(event) => setIncludeOwn(event.target.checked)} />
          Include your own requests ({own})
        </label>
        {audit.length === 0 ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm" data-testid="audit-empty">
            {includeOwn || own === 0 ? "The key store has no audit entries for your records yet." : "Nobody else has asked the key store for your records."}
          </p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full text-left text-sm" data-testid="audit-table">
              <caption className="sr-only">Key store audit, newest first</caption>
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className="p-2">
                    When
                  </th>
                  <th scope="col" className="p-2">
                    Who
                  </th>
                  <th scope="col" className="p-2">
                    Record
                  </th>
                  <th scope="col" className="p-2">
                    Request
                  </th>
                  <th scope="col" className="p-2">
                    Decision
                  </th>
                </tr>
              </thead>
              <tbody>
                {audit.map((entry, index) => (
                  <tr key={`${entry.at}-${entry.recordId}-${index}`} className="border-t border-slate-100" data-testid="audit-entry" data-allowed={String(entry.allowed)} data-reason={entry.reason}>
                    <td className="p-2">
                      <time dateTime={entry.at}>{Number.isNaN(Date.parse(entry.at)) ? entry.at : formatTime(Math.floor(Date.parse(entry.at) / 1000))}</time>
                    </td>
                    <td className="p-2">{entry.who}</td>
                    <td className="p-2">{title(entry.recordId)}</td>
                    <td className="p-2">{auditRequest(entry)}</td>
                    <td className={`p-2 ${entry.allowed ? "" : "text-red-700"}`}>{auditDecision(entry)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
