"use client";

import { useEffect, useMemo, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import type { AccessRequest } from "@/lib/access-requests/schemas";
import { accessRequestsApi, announceRequestsChanged, expiryChoiceFor, openReason, recordsForRequest } from "@/lib/access-requests/client";
import { categoryLabel, type RecordEntry } from "@/lib/records/client";
import { describeExpiry } from "@/lib/sharing/client";
import { GrantForm } from "@/components/sharing/GrantForm";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";
import { RetryAlert } from "@/components/ui/RetryAlert";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;

/** What the last action did: `retry` offers to mark a request approved again when only that step failed. */
type Action = { status: "idle" } | { status: "running"; text: string } | { status: "done"; text: string } | { status: "failed"; text: string; retry?: AccessRequest };

const doctorOf = (request: AccessRequest) => `${request.doctorName}${request.doctorSpecialty ? `, ${request.doctorSpecialty}` : ""}`;
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What a request asks for, in words. */
export function requestedScope(request: Pick<AccessRequest, "allRecords" | "categories">): string {
  return request.allRecords ? "All records, including future ones" : request.categories.map(categoryLabel).join(", ");
}

/**
 * The patient's pending access requests: the doctor (from the registry), the reason (decrypted here), what
 * and until when. Approve opens the grant form prefilled with the ask; once the grant is mined the request is
 * marked approved. Decline is one click.
 */
export function PatientRequests({ chain, keyPair, records }: { chain: BrowserChain; keyPair: UnlockedKey; records?: OkEntry[] }) {
  const { loaded, refresh } = useLoaded(() => accessRequestsApi.getReceivedRequests(), "Your access requests could not be read.", []);
  const [approving, setApproving] = useState<AccessRequest>();
  const [action, setAction] = useState<Action>({ status: "idle" });
  const requests = useMemo(() => (loaded.status === "ready" ? loaded.value.requests : []), [loaded]);
  const reasons = useMemo(() => new Map(requests.map((request) => [request.id, openReason(request, keyPair.secretKey)])), [requests, keyPair]);
  const busy = action.status === "running";
  // The tab's pending count follows what this list shows.
  useEffect(() => {
    if (loaded.status === "ready") announceRequestsChanged();
  }, [loaded]);

  const changed = () => refresh();

  const markApproved = async (request: AccessRequest) => {
    setAction({ status: "running", text: "The grant is on chain; marking the request approved…" });
    try {
      await accessRequestsApi.approveRequest(request.id);
      setAction({ status: "done", text: `You approved the request of ${doctorOf(request)}. They can open what you granted.` });
    } catch (error) {
      setAction({ status: "failed", text: `The grant is on chain, but the request could not be marked approved: ${errorText(error)}`, retry: request });
    }
    changed();
  };

  const decline = async (request: AccessRequest) => {
    setAction({ status: "running", text: `Declining the request of ${doctorOf(request)}…` });
    try {
      await accessRequestsApi.declineRequest(request.id);
      setAction({ status: "done", text: `You declined the request of ${doctorOf(request)}. Nothing was shared.` });
    } catch (error) {
      setAction({ status: "failed", text: `The request could not be declined: ${errorText(error)}` });
    }
    changed();
  };

  const status = (
    <>
      {action.status === "running" && <Alert tone="info">{action.text}</Alert>}
      {action.status === "done" && (
        <Alert tone="success" testId="request-action-done">
          {action.text}
        </Alert>
      )}
      {action.status === "failed" && (
        <Alert tone="error" title="The request was not updated" testId="request-action-error">
          {action.text}{" "}
          {action.retry && (
            <Button variant="link" onClick={() => void markApproved(action.retry!)}>
              Mark it approved again
            </Button>
          )}
        </Alert>
      )}
    </>
  );

  if (approving) {
    const initial = {
      doctor: approving.doctor,
      scope: approving.allRecords ? ("all" as const) : ("records" as const),
      recordIds: recordsForRequest(approving, (records ?? []).map((entry) => ({ recordId: entry.chain.recordId, category: entry.metadata.category }))),
      expiry: expiryChoiceFor(approving.proposedExpiry),
    };
    return (
      <div className="space-y-4" data-testid="request-approval" data-request-id={approving.id}>
        <p className="text-sm text-slate-700">
          Approving the request of <strong>{doctorOf(approving)}</strong>: the grant below is filled in with what they asked for ({requestedScope(approving)}, {describeExpiry(approving.proposedExpiry)}). Change
          anything before you sign; the request is marked approved once the grant is on chain.
        </p>
        {status}
        {records ? (
          <GrantForm
            key={approving.id}
            chain={chain}
            keyPair={keyPair}
            records={records}
            initial={initial}
            onGranted={() => void markApproved(approving)}
          />
        ) : (
          <p className="text-slate-600">Loading your records from the chain…</p>
        )}
        <Button
          variant="secondary"
          onClick={() => {
            setApproving(undefined);
            setAction({ status: "idle" });
          }}
        >
          Back to the requests
        </Button>
      </div>
    );
  }

  return (
    <div className="space-y-4" data-testid="patient-requests">
      {status}
      {loaded.status === "loading" && <p className="text-slate-600">Loading your access requests…</p>}
      {loaded.status === "error" && (
        <RetryAlert title="Could not load your access requests" message={loaded.message} onRetry={refresh} />
      )}
      {loaded.status === "ready" && requests.length === 0 && (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center" data-testid="requests-empty">
          <p className="font-medium">No doctor is waiting for an answer.</p>
          <p className="mt-1 text-sm text-slate-600">When a doctor asks you for access, the request appears here with their reason.</p>
        </div>
      )}
      {requests.length > 0 && (
        <ul className="space-y-3" aria-label="Pending access requests">
          {requests.map((request) => {
            const reason = reasons.get(request.id);
            return (
              <li key={request.id} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="access-request" data-request-id={request.id} data-doctor={request.doctor}>
                <div>
                  <p className="font-semibold" data-testid="request-doctor">
                    {doctorOf(request)}
                  </p>
                  <p className="break-all font-mono text-xs text-slate-500">{request.doctor}</p>
                </div>
                <dl className="grid gap-1 text-sm sm:grid-cols-[9rem_1fr]">
                  <dt className="font-medium">Reason</dt>
                  <dd data-testid="request-reason" className="whitespace-pre-wrap">
                    {reason ?? <span className="text-red-700">The reason could not be decrypted with your key.</span>}
                  </dd>
                  <dt className="font-medium">Asks for</dt>
                  <dd data-testid="request-scope">{requestedScope(request)}</dd>
                  <dt className="font-medium">Proposed expiry</dt>
                  <dd data-testid="request-expiry">{describeExpiry(request.proposedExpiry)}</dd>
                  <dt className="font-medium">Asked on</dt>
                  <dd>{new Date(request.createdAt).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}</dd>
                </dl>
                <div className="flex flex-wrap gap-3">
                  <Button
                    disabled={busy}
                    aria-label={`Approve the request of ${request.doctorName}`}
                    onClick={() => {
                      setAction({ status: "idle" });
                      setApproving(request);
                    }}
                  >
                    Approve…
                  </Button>
                  <Button variant="secondary" disabled={busy} aria-label={`Decline the request of ${request.doctorName}`} onClick={() => void decline(request)}>
                    Decline
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
