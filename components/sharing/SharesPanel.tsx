"use client";

import { useId, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { ShareSummary } from "@/lib/api/schemas";
import type { UnlockedKey } from "@/lib/keystore";
import {
  describeExpiry,
  describeGrant,
  expiryFromChoice,
  grantToDoctor,
  isExpired,
  loadCurrentShares,
  pruneAfterRevoke,
  recordLabel,
  revokeFromDoctor,
  RevokeError,
  type ExpiryChoice,
  type GrantProgress,
  type RevokeProgress,
  type RevokeScope,
} from "@/lib/sharing/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { txDetail } from "@/components/keys/RegisterSteps";
import { ExpiryPicker } from "./ExpiryPicker";
import { useLoaded } from "@/components/ui/useLoaded";
import { RetryAlert } from "@/components/ui/RetryAlert";


/** What the last action on this page is doing or did. */
type Action =
  | { status: "idle" }
  | { status: "running"; text: string }
  | { status: "done"; text: string }
  | { status: "failed"; text: string; retryPrune?: { doctor: string; scope: RevokeScope } };

const REVOCATION_NOTE =
  "Revoking stops a doctor from opening your records from now on: the chain refuses them and the key store deletes the keys wrapped for them. " +
  "It cannot recall what a doctor has already opened or downloaded.";

/** "Who can see what": the doctors holding a grant, what they hold and until when; revoke, or change an all-records expiry. */
export function SharesPanel({ chain, keyPair, titles }: { chain: BrowserChain; keyPair: UnlockedKey; titles: ReadonlyMap<string, string> }) {
  // After an action the list stays on screen while it reloads.
  const { loaded, refresh: reload } = useLoaded(loadCurrentShares, "Your grants could not be read.", []);
  const [action, setAction] = useState<Action>({ status: "idle" });
  const [editing, setEditing] = useState<string>();


  const busy = action.status === "running";

  const revoke = async (share: ShareSummary, scope: RevokeScope, what: string) => {
    const onProgress = (progress: RevokeProgress) => {
      if (progress.step === "sign") setAction({ status: "running", text: `Revoking ${what}: ${txDetail(progress.tx)}` });
      if (progress.step === "prune") setAction({ status: "running", text: `Revoked on chain; deleting the doctor's keys${progress.attempt > 1 ? ` (attempt ${progress.attempt})` : ""}…` });
    };
    try {
      await revokeFromDoctor({ chain, doctor: share.doctor, scope }, onProgress);
      setAction({ status: "done", text: `${share.name} can no longer open ${what}. Their keys were deleted from the key store.` });
      reload();
    } catch (error) {
      const revoked = error instanceof RevokeError && error.revoked;
      setAction({ status: "failed", text: error instanceof Error ? error.message : String(error), retryPrune: revoked ? { doctor: share.doctor, scope } : undefined });
      if (revoked) reload();
    }
  };

  const retryPrune = async (doctor: string, scope: RevokeScope) => {
    setAction({ status: "running", text: "Deleting the doctor's keys…" });
    try {
      await pruneAfterRevoke(doctor, scope);
      setAction({ status: "done", text: "The doctor's keys were deleted from the key store." });
    } catch (error) {
      setAction({ status: "failed", text: error instanceof Error ? error.message : String(error), retryPrune: { doctor, scope } });
    }
  };

  const changeExpiry = async (share: ShareSummary, expiresAt: number) => {
    const onProgress = (progress: GrantProgress) => {
      const text =
        progress.step === "check"
          ? "checking the doctor's key against the chain…"
          : progress.step === "wrap"
            ? `re-wrapping keys (${progress.done} of ${progress.total})…`
            : progress.step === "store"
              ? `storing keys (${progress.stored} of ${progress.total})…`
              : progress.step === "sign"
                ? txDetail(progress.tx)
                : progress.step === "cleanup"
                  ? "removing the keys prepared for the doctor…"
                  : "done";
      setAction({ status: "running", text: `Changing the expiry for ${share.name}: ${text}` });
    };
    try {
      const result = await grantToDoctor({ chain, key: keyPair, doctor: share.doctor, scope: { kind: "all" }, expiresAt }, onProgress);
      setAction({ status: "done", text: describeGrant(result, { kind: "all" }, expiresAt) });
      setEditing(undefined);
      reload();
    } catch (error) {
      setAction({ status: "failed", text: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <div className="space-y-4">
      <p className="rounded-md border border-slate-300 bg-slate-50 px-4 py-3 text-sm text-slate-800" data-testid="revocation-note">
        {REVOCATION_NOTE}
      </p>
      {action.status === "running" && (
        <p role="status" className="text-sm text-slate-700" data-testid="share-action-status">
          {action.text}
        </p>
      )}
      {action.status === "done" && (
        <Alert tone="success" testId="share-action-done">
          {action.text}
        </Alert>
      )}
      {action.status === "failed" && (
        <Alert tone="error" title="That did not complete" testId="share-action-error">
          <p>{action.text}</p>
          {action.retryPrune && (
            <Button className="mt-2" onClick={() => void retryPrune(action.retryPrune!.doctor, action.retryPrune!.scope)}>
              Retry clean-up
            </Button>
          )}
        </Alert>
      )}

      {loaded.status === "loading" && <p className="text-slate-600">Reading your grants…</p>}
      {loaded.status === "error" && (
        <RetryAlert title="Your grants could not be read" message={loaded.message} onRetry={reload} />
      )}
      {loaded.status === "ready" && loaded.value.length === 0 && (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center" data-testid="shares-empty">
          <p className="font-medium">No doctor can see your records.</p>
          <p className="mt-1 text-sm text-slate-600">Use “Share” to give a doctor access to some records or to all of them.</p>
        </div>
      )}
      {loaded.status === "ready" && loaded.value.length > 0 && (
        <ul className="space-y-4" data-testid="shares-list">
          {loaded.value.map((share) => (
            <DoctorShare
              key={share.doctor}
              share={share}
              titles={titles}
              busy={busy}
              editing={editing === share.doctor}
              onEdit={(on) => setEditing(on ? share.doctor : undefined)}
              onRevoke={(scope, what) => void revoke(share, scope, what)}
              onChangeExpiry={(expiresAt) => void changeExpiry(share, expiresAt)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function DoctorShare({
  share,
  titles,
  busy,
  editing,
  onEdit,
  onRevoke,
  onChangeExpiry,
}: {
  share: ShareSummary;
  titles: ReadonlyMap<string, string>;
  busy: boolean;
  editing: boolean;
  onEdit: (on: boolean) => void;
  onRevoke: (scope: RevokeScope, what: string) => void;
  onChangeExpiry: (expiresAt: number) => void;
}) {
  const id = useId();
  const [expiry, setExpiry] = useState<ExpiryChoice>({ kind: "days", days: 30 });
  const [expiryError, setExpiryError] = useState<string>();
  const all = share.allRecords?.granted ? share.allRecords : null;

  const saveExpiry = () => {
    const chosen = expiryFromChoice(expiry);
    if ("error" in chosen) return setExpiryError(chosen.error);
    setExpiryError(undefined);
    onChangeExpiry(chosen.expiresAt);
  };

  return (
    <li className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="share-doctor" data-address={share.doctor} aria-labelledby={`${id}-name`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={`${id}-name`} className="font-semibold" data-testid="share-doctor-name">
            {share.name}
          </h3>
          <p className="text-sm text-slate-700">
            {share.specialty}
            {!share.active && (
              <span className="ml-2 rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-900" data-testid="doctor-inactive">
                Deactivated: cannot open anything
              </span>
            )}
          </p>
          <p className="font-mono text-xs text-slate-500">{share.doctor}</p>
        </div>
        <Button variant="danger" disabled={busy} aria-label={`Revoke all access from ${share.name}`} onClick={() => onRevoke({ kind: "all" }, "any of your records")}>
          Revoke all access
        </Button>
      </div>

      {all && (
        <div className="rounded-md bg-slate-50 p-3 text-sm" data-testid="share-all">
          <p>
            <span className="font-medium">All records, including future ones</span> ·{" "}
            <span className={isExpired(all.expiresAt) ? "text-red-700" : undefined} data-testid="share-all-expiry">
              {describeExpiry(all.expiresAt)}
            </span>
          </p>
          {editing ? (
            <div className="mt-3 space-y-3">
              <ExpiryPicker legend="New expiry" value={expiry} onChange={setExpiry} error={expiryError} />
              <p className="text-xs text-slate-600">Records you revoked from this grant stay revoked.</p>
              <div className="flex gap-3">
                <Button disabled={busy} onClick={saveExpiry}>
                  Save expiry
                </Button>
                <Button variant="secondary" disabled={busy} onClick={() => onEdit(false)}>
                  Cancel
                </Button>
              </div>
            </div>
          ) : (
            <Button variant="link" className="mt-1" disabled={busy} aria-label={`Change expiry for ${share.name}`} onClick={() => onEdit(true)}>
              Change expiry
            </Button>
          )}
        </div>
      )}

      {share.records.length > 0 ? (
        <ul className="divide-y divide-slate-100" aria-label={`Records ${share.name} can see`}>
          {share.records.map((record) => {
            const title = recordLabel(record.recordId, titles);
            return (
              <li key={record.recordId} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm" data-testid="share-record" data-record-id={record.recordId}>
                <div>
                  <span className="font-medium" data-testid="share-record-title">
                    {title}
                  </span>
                  <span className="ml-2 text-slate-600">
                    {record.allRecords ? "through the all-records grant" : "granted"} · {describeExpiry(record.expiresAt)}
                    {!record.readable && " · cannot open it now"}
                  </span>
                </div>
                <Button variant="secondary" disabled={busy} aria-label={`Revoke access to ${title}`} onClick={() => onRevoke({ kind: "records", recordIds: [record.recordId] }, `“${title}”`)}>
                  Revoke
                </Button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No record yet{all ? "; records you add later are shared with this doctor." : "."}</p>
      )}
    </li>
  );
}
