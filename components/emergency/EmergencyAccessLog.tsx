"use client";

import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { emergencyKeyOf } from "@/lib/emergency/client/chain";
import { loadEmergencyLog, needsRenewal } from "@/lib/emergency/client/log";
import { reasonLabel } from "@/lib/emergency/reasons";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";
import { RetryAlert } from "@/components/ui/RetryAlert";

const when = (seconds: number) => new Date(seconds * 1000).toLocaleString();
const STATE_TEXT = { pending: "waiting for administrators", approved: "approved", refused: "refused", expired: "expired without approval" } as const;

/**
 * Emergency accesses to the patient's records, shown at the top of the access log: who asked and why, which
 * administrators approved (or who refused), the window, and every record opened under it. After an approved
 * access on the live key, a prompt to renew the emergency key.
 */
export function EmergencyAccessLog({ chain, keyPair, titles, onRenew }: { chain: BrowserChain; keyPair: UnlockedKey; titles: ReadonlyMap<string, string>; onRenew?: () => void }) {
  const { loaded, refresh } = useLoaded(
    async () => {
      const [entries, onChain] = await Promise.all([loadEmergencyLog(keyPair), emergencyKeyOf(chain, keyPair.address)]);
      return { entries, renew: needsRenewal(entries, onChain.key ? onChain.version : 0) };
    },
    "The emergency accesses could not be read.",
    [chain, keyPair],
  );
  if (loaded.status === "loading") return <p className="text-slate-600">Reading emergency accesses…</p>;
  if (loaded.status === "error") {
    return <RetryAlert title="Emergency accesses could not be read" message={loaded.message} onRetry={refresh} />;
  }
  const { entries, renew } = loaded.value;
  if (entries.length === 0) return null;
  return (
    <section aria-labelledby="emergency-log-heading" className="space-y-3 rounded-lg border border-red-200 bg-red-50/40 p-4" data-testid="emergency-log">
      <h3 id="emergency-log-heading" className="text-lg font-semibold">
        Emergency accesses
      </h3>
      {renew && (
        <Alert tone="warning" title="Renew your emergency key" testId="emergency-renew-prompt">
          A doctor opened your records under emergency access. The administrators who approved helped rebuild that emergency key, so make a new one: it takes one
          transaction and re-wraps your records for a new key.{" "}
          {onRenew && (
            <Button variant="link" onClick={onRenew}>
              Renew now
            </Button>
          )}
        </Alert>
      )}
      <ul className="space-y-3">
        {entries.map((entry) => (
          <li key={entry.requestId} className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="emergency-entry" data-request-id={entry.requestId} data-state={entry.state} data-doctor={entry.doctor}>
            <p className="font-medium">
              {entry.doctorName || entry.doctor}
              {entry.doctorSpecialty ? ` (${entry.doctorSpecialty})` : ""} asked for emergency access on {when(entry.requestedAt)}: {STATE_TEXT[entry.state]}
            </p>
            <p>Reason: {reasonLabel(entry.reasonCode)}</p>
            {entry.note !== undefined && <p>Note: {entry.note ?? "(could not be opened)"}</p>}
            {entry.approvers.length > 0 && <p data-testid="emergency-approvers">Approved by: {entry.approvers.join(", ")}</p>}
            {entry.refusedBy && <p>Refused by: {entry.refusedBy}</p>}
            {entry.state === "approved" && <p>Window: until {when(entry.grantedUntil)}</p>}
            {entry.state === "approved" && (
              <p data-testid="emergency-openings">
                {entry.openings.length === 0
                  ? "Nothing was opened."
                  : `Opened: ${entry.openings.map((opening) => `${titles.get(opening.recordId) ? `“${titles.get(opening.recordId)}”` : `record ${opening.recordId}`} on ${when(opening.time)}`).join("; ")}`}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
