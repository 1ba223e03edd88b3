"use client";

import { useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { approveRequest, loadPendingRequests, refuseRequest, type ApproveProgress, type PendingRequestView } from "@/lib/emergency/client/admin";
import { reasonLabel } from "@/lib/emergency/reasons";
import { txDetail } from "@/components/keys/RegisterSteps";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";
import { AdminKeyGate } from "./AdminKeyGate";

const when = (seconds: number) => new Date(seconds * 1000).toLocaleString();

function progressText(progress: ApproveProgress): string {
  switch (progress.step) {
    case "check":
      return "Checking the doctor's key on chain…";
    case "reseal":
      return "Opening your share and sealing it for the doctor…";
    case "store":
      return "Storing the sealed share for the doctor…";
    case "sign":
      return `Approving on chain (approveEmergencyAccess): ${txDetail(progress.tx)}`;
    case "cleanup":
      return "Withdrawing the share…";
    case "done":
      return "Approved.";
  }
}

/** Emergency access for administrators: their encryption key, then the pending requests to approve or refuse. */
export function AdminEmergencyPanel({ chain }: { chain: BrowserChain }) {
  return (
    <section aria-labelledby="admin-emergency-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="admin-emergency">
      <h2 id="admin-emergency-heading" className="text-xl font-semibold">
        Emergency access requests
      </h2>
      <AdminKeyGate chain={chain}>{(key) => <PendingRequests chain={chain} keyPair={key} />}</AdminKeyGate>
    </section>
  );
}

function PendingRequests({ chain, keyPair }: { chain: BrowserChain; keyPair: UnlockedKey }) {
  const { loaded, refresh } = useLoaded(() => loadPendingRequests(keyPair), "The emergency requests could not be read.", [keyPair]);
  const [busy, setBusy] = useState<string>();
  const [result, setResult] = useState<{ tone: "success" | "error"; text: string }>();

  const act = async (request: PendingRequestView, kind: "approve" | "refuse") => {
    setResult(undefined);
    setBusy(kind === "approve" ? "Starting…" : "Refusing on chain…");
    try {
      if (kind === "approve") {
        await approveRequest(chain, keyPair, request, (progress) => setBusy(progressText(progress)));
        setResult({ tone: "success", text: `You approved request ${request.requestId} (${request.approvals + 1} of ${request.threshold} approvals).` });
      } else {
        await refuseRequest(chain, request.requestId, (tx) => setBusy(`Refusing on chain (refuseEmergencyAccess): ${txDetail(tx)}`));
        setResult({ tone: "success", text: `You refused request ${request.requestId}.` });
      }
    } catch (error) {
      setResult({ tone: "error", text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(undefined);
      refresh();
    }
  };

  return (
    <div className="space-y-3" data-testid="admin-emergency-ready">
      <div className="flex justify-end">
        <Button variant="secondary" onClick={refresh}>
          Refresh requests
        </Button>
      </div>
      {busy && (
        <p role="status" className="text-sm text-slate-600">
          {busy}
        </p>
      )}
      {result && (
        <Alert tone={result.tone} testId="emergency-action-result">
          {result.text}
        </Alert>
      )}
      {loaded.status === "loading" && <p className="text-slate-600">Reading the pending requests…</p>}
      {loaded.status === "error" && <Alert tone="error">{loaded.message}</Alert>}
      {loaded.status === "ready" && loaded.value.length === 0 && <p className="text-sm text-slate-600" data-testid="emergency-requests-empty">No emergency request is waiting.</p>}
      {loaded.status === "ready" && loaded.value.length > 0 && (
        <ul className="space-y-3">
          {loaded.value.map((request) => (
            <li key={request.requestId} className="rounded-md border border-slate-200 p-4" data-testid="emergency-request" data-request-id={request.requestId} data-approved-by-me={String(request.approvedByMe)}>
              <p className="font-medium">
                Request {request.requestId}: {request.doctorName || request.doctor}
                {request.doctorSpecialty ? ` (${request.doctorSpecialty})` : ""} asks for patient <span className="break-all font-mono text-sm">{request.patient}</span>
              </p>
              <p className="text-sm text-slate-700">Reason: {reasonLabel(request.reasonCode)}</p>
              {request.note !== undefined && <p className="text-sm text-slate-700">Note: {request.note ?? "(could not be opened with your key)"}</p>}
              <p className="text-xs text-slate-600">
                Asked {when(request.requestedAt)} · {request.approvals} of {request.threshold} approvals
              </p>
              <div className="mt-2 flex flex-wrap gap-3">
                {request.approvedByMe ? (
                  <span className="text-sm text-emerald-800">You approved this request.</span>
                ) : request.ownRequest ? (
                  <span className="text-sm text-slate-600">This is your own request: another administrator must decide.</span>
                ) : (
                  <>
                    <Button disabled={busy !== undefined || !request.sealedShare} onClick={() => void act(request, "approve")} aria-label={`Approve request ${request.requestId}`}>
                      Approve
                    </Button>
                    <Button variant="danger" disabled={busy !== undefined} onClick={() => void act(request, "refuse")} aria-label={`Refuse request ${request.requestId}`}>
                      Refuse
                    </Button>
                  </>
                )}
                {!request.sealedShare && !request.approvedByMe && !request.ownRequest && <span className="text-xs text-slate-600">You hold no share of this patient&apos;s emergency key.</span>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
