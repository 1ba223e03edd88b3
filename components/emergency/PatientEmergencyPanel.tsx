"use client";

import { useId, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { categoryLabel, RECORD_CATEGORIES, type RecordCategory } from "@/lib/records/client";
import { disableEmergencyAccess, enableEmergencyAccess, loadEmergencyStatus, type EmergencyScope, type OptInProgress } from "@/lib/emergency/client/patient";
import { txDetail } from "@/components/keys/RegisterSteps";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";

function progressText(progress: OptInProgress): string {
  switch (progress.step) {
    case "check":
      return "Reading the administrators' keys from the chain…";
    case "split":
      return `Making a new emergency key and splitting it among ${progress.admins} administrators (any ${progress.threshold} together can open it)…`;
    case "store":
      return "Storing the sealed shares…";
    case "wrap":
      return `Wrapping your records for the emergency key: ${progress.done} of ${progress.total}…`;
    case "sign":
      return `Recording the emergency key on chain (setEmergencyKey): ${txDetail(progress.tx)}`;
    case "done":
      return "Done.";
  }
}

const describeScope = (scope: EmergencyScope | undefined) =>
  !scope ? "unknown scope" : scope.kind === "all" ? "all your records, including future ones" : `your ${scope.categories.map(categoryLabel).join(", ")} records, including future ones`;

/** The patient's emergency access: status, opt in (all records or chosen categories), renew the key, opt out. */
export function PatientEmergencyPanel({ chain, keyPair }: { chain: BrowserChain; keyPair: UnlockedKey }) {
  const id = useId();
  const { loaded, refresh } = useLoaded(() => loadEmergencyStatus(chain, keyPair), "Your emergency settings could not be read.", [chain, keyPair]);
  const [kind, setKind] = useState<"all" | "categories">("all");
  const [categories, setCategories] = useState<RecordCategory[]>([]);
  const [busy, setBusy] = useState<string>();
  const [result, setResult] = useState<{ tone: "success" | "error"; text: string }>();
  const [editing, setEditing] = useState(false);

  const enable = async (scope: EmergencyScope) => {
    setResult(undefined);
    setBusy("Starting…");
    try {
      const done = await enableEmergencyAccess(chain, keyPair, scope, (progress) => setBusy(progressText(progress)));
      setResult({ tone: "success", text: `Emergency access is on (key version ${done.version}): ${done.records} record${done.records === 1 ? "" : "s"} can be opened in an emergency.` });
      setEditing(false);
    } catch (error) {
      setResult({ tone: "error", text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(undefined);
      refresh();
    }
  };

  const disable = async () => {
    setResult(undefined);
    setBusy("Turning emergency access off…");
    try {
      await disableEmergencyAccess(chain, (tx) => setBusy(`Clearing the emergency key on chain (clearEmergencyKey): ${txDetail(tx)}`));
      setResult({ tone: "success", text: "Emergency access is off. Any open emergency window on your records has ended." });
    } catch (error) {
      setResult({ tone: "error", text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(undefined);
      refresh();
    }
  };

  if (loaded.status === "loading") return <p className="text-slate-600">Reading your emergency settings…</p>;
  if (loaded.status === "error") return <Alert tone="error">{loaded.message}</Alert>;
  const status = loaded.value;
  const enabled = status.onChain.key !== undefined;
  // A stored scope that does not verify is never assumed: the patient chooses it again.
  const showForm = !enabled || editing || status.scopeUnverified;

  return (
    <div className="space-y-4" data-testid="emergency-panel">
      <p className="text-sm text-slate-600">
        In an emergency, a doctor can ask to read your records. Only when {status.threshold} hospital administrators approve (never the doctor alone, never one
        administrator, never the server) can the doctor open them, for a limited time; every opening is in your access log.
      </p>
      <div data-testid="emergency-status" data-enabled={String(enabled)} data-version={status.onChain.version}>
        {enabled ? (
          <Alert tone="info" title="Emergency access is on">
            Key version {status.onChain.version}, for {describeScope(status.scope)}
            {status.records !== undefined ? ` (${status.records} record${status.records === 1 ? "" : "s"} now)` : ""}. {status.onChain.threshold} administrator approvals needed.
          </Alert>
        ) : (
          <Alert tone="info" title="Emergency access is off">
            No one can open your records in an emergency. {status.adminsWithKey < status.threshold && `Turning it on needs ${status.threshold} administrators with a key; ${status.adminsWithKey} have one now.`}
          </Alert>
        )}
      </div>
      {enabled && status.addedNow > 0 && (
        <Alert tone="success" testId="emergency-panel-added-by-others">
          {status.addedNow === 1 ? "A record a doctor added for you is" : `${status.addedNow} records doctors added for you are`} now included in emergency access (
          {describeScope(status.scope)}).
        </Alert>
      )}
      {enabled && status.orphanedShares.length > 0 && (
        <Alert tone="warning" title="Renew your emergency key" testId="emergency-orphaned-shares">
          {status.orphanedShares.length === 1 ? "One administrator" : `${status.orphanedShares.length} administrators`} holding a share of your emergency key{" "}
          {status.orphanedShares.length === 1 ? "has" : "have"} changed key or left, so fewer administrators can approve an emergency request. Renew your emergency key
          to give every administrator a share again.
        </Alert>
      )}
      {enabled && status.scopeUnverified && (
        <Alert tone="warning" title="Confirm your emergency settings" testId="emergency-scope-unverified">
          Which records may be opened in an emergency could not be verified with your key (it was not saved by you, or your key has changed since). Choose again
          below: your emergency key is renewed with your choice.
        </Alert>
      )}
      {busy && (
        <p role="status" className="text-sm text-slate-600" data-testid="emergency-progress">
          {busy}
        </p>
      )}
      {result && (
        <Alert tone={result.tone} testId={result.tone === "success" ? "emergency-done" : "emergency-error"}>
          {result.text}
        </Alert>
      )}
      {showForm && (
        <fieldset className="space-y-2 rounded-md border border-slate-200 p-4" disabled={busy !== undefined}>
          <legend className="px-1 text-sm font-medium">Which records may be opened in an emergency</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name={`${id}-scope`} checked={kind === "all"} onChange={() => setKind("all")} /> All records, including future ones
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name={`${id}-scope`} checked={kind === "categories"} onChange={() => setKind("categories")} /> Chosen categories
          </label>
          {kind === "categories" && (
            <div className="flex flex-wrap gap-4 pl-6">
              {RECORD_CATEGORIES.map((category) => (
                <label key={category.value} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={categories.includes(category.value)}
                    onChange={(event) => setCategories((current) => (event.target.checked ? [...current, category.value] : current.filter((value) => value !== category.value)))}
                  />
                  {category.label}
                </label>
              ))}
            </div>
          )}
          <Button onClick={() => void enable(kind === "all" ? { kind: "all" } : { kind: "categories", categories })} disabled={busy !== undefined || (kind === "categories" && categories.length === 0)}>
            {enabled ? "Save and renew the emergency key" : "Turn on emergency access"}
          </Button>
        </fieldset>
      )}
      {enabled && !editing && (
        <div className="flex flex-wrap gap-3">
          <Button onClick={() => (status.scope ? void enable(status.scope) : setEditing(true))} disabled={busy !== undefined}>
            Renew emergency key
          </Button>
          <Button variant="secondary" onClick={() => setEditing(true)} disabled={busy !== undefined}>
            Change which records
          </Button>
          <Button variant="danger" onClick={() => void disable()} disabled={busy !== undefined}>
            Turn off emergency access
          </Button>
        </div>
      )}
    </div>
  );
}
