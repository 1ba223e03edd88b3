"use client";

import { useId, useMemo, useState, type FormEvent } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import type { AccessRequest, AccessRequestStatus } from "@/lib/access-requests/schemas";
import { accessRequestsApi, askForAccess, AskError, MAX_REASON_LENGTH, openReason } from "@/lib/access-requests/client";
import { RECORD_CATEGORIES, type RecordCategory } from "@/lib/records/client";
import { describeExpiry, expiryFromChoice, type ExpiryChoice } from "@/lib/sharing/client";
import { ExpiryPicker } from "@/components/sharing/ExpiryPicker";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";
import { requestedScope } from "./PatientRequests";

const STATUS_TEXT: Record<AccessRequestStatus, { label: string; tone: string }> = {
  pending: { label: "Pending", tone: "bg-amber-100 text-amber-900" },
  approved: { label: "Approved", tone: "bg-emerald-100 text-emerald-900" },
  declined: { label: "Declined", tone: "bg-red-100 text-red-900" },
  withdrawn: { label: "Withdrawn", tone: "bg-slate-100 text-slate-700" },
};

type Sending = { status: "idle" } | { status: "sending" } | { status: "sent"; text: string } | { status: "failed"; text: string; open: boolean };

/**
 * The doctor's access requests: ask a patient (by wallet address) for some categories of records or all of
 * them, with a reason (sealed in this browser for the patient) and a proposed expiry; see each request's
 * outcome and withdraw a pending one.
 */
export function DoctorRequests({ chain, keyPair }: { chain: BrowserChain; keyPair: UnlockedKey }) {
  const id = useId();
  const { loaded, refresh } = useLoaded(() => accessRequestsApi.getSentRequests(), "Your access requests could not be read.", []);
  const [patient, setPatient] = useState("");
  const [allRecords, setAllRecords] = useState(false);
  const [categories, setCategories] = useState<ReadonlySet<RecordCategory>>(new Set());
  const [reason, setReason] = useState("");
  const [expiry, setExpiry] = useState<ExpiryChoice>({ kind: "days", days: 30 });
  const [expiryError, setExpiryError] = useState<string>();
  const [sending, setSending] = useState<Sending>({ status: "idle" });
  const [withdrawError, setWithdrawError] = useState<string>();
  const requests = useMemo(() => (loaded.status === "ready" ? loaded.value.requests : []), [loaded]);
  const reasons = useMemo(() => new Map(requests.map((request) => [request.id, openReason(request, keyPair.secretKey)])), [requests, keyPair]);

  const toggle = (value: RecordCategory) => {
    const next = new Set(categories);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    setCategories(next);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = expiryFromChoice(expiry);
    setExpiryError("error" in expiresAt ? expiresAt.error : undefined);
    if ("error" in expiresAt) return;
    setSending({ status: "sending" });
    try {
      const request = await askForAccess(chain, keyPair, { patient, allRecords, categories: [...categories], reason, proposedExpiry: expiresAt.expiresAt });
      setSending({ status: "sent", text: `Your request was sent to patient ${request.patient}. They see your reason, sealed for them in this browser.` });
      setReason("");
      setCategories(new Set());
      refresh();
    } catch (error) {
      setSending({ status: "failed", text: error instanceof Error ? error.message : String(error), open: error instanceof AskError && error.open });
    }
  };

  const withdraw = async (request: AccessRequest) => {
    setWithdrawError(undefined);
    try {
      await accessRequestsApi.withdrawRequest(request.id);
    } catch (error) {
      setWithdrawError(error instanceof Error ? error.message : String(error));
    }
    refresh();
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4" data-testid="doctor-requests">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id={`${id}-heading`} className="text-xl font-semibold">
          Access requests
        </h2>
        <Button variant="secondary" onClick={refresh}>
          Reload requests
        </Button>
      </div>

      <form noValidate onSubmit={(event) => void submit(event)} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="ask-access">
        <fieldset disabled={sending.status === "sending"} className="space-y-4">
          <legend className="text-base font-semibold">Ask a patient for access</legend>
          <div className="space-y-1">
            <label htmlFor={`${id}-patient`} className="block text-sm font-medium text-slate-800">
              Patient wallet address
            </label>
            <input
              id={`${id}-patient`}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
              placeholder="0x…"
              autoComplete="off"
              spellCheck={false}
              value={patient}
              onChange={(event) => setPatient(event.target.value)}
            />
          </div>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-800">Records</legend>
            <div className="flex flex-wrap gap-x-5 gap-y-2">
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name={`${id}-scope`} checked={!allRecords} onChange={() => setAllRecords(false)} />
                Chosen categories
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name={`${id}-scope`} checked={allRecords} onChange={() => setAllRecords(true)} />
                All records, including future ones
              </label>
            </div>
            {!allRecords && (
              <div className="flex flex-wrap gap-x-5 gap-y-2" data-testid="ask-categories">
                {RECORD_CATEGORIES.map((category) => (
                  <label key={category.value} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" checked={categories.has(category.value)} onChange={() => toggle(category.value)} />
                    {category.label}
                  </label>
                ))}
              </div>
            )}
          </fieldset>
          <div className="space-y-1">
            <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-slate-800">
              Reason
            </label>
            <textarea
              id={`${id}-reason`}
              rows={3}
              maxLength={MAX_REASON_LENGTH}
              aria-describedby={`${id}-reason-hint`}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
            <p id={`${id}-reason-hint`} className="text-xs text-slate-600">
              Encrypted in this browser for the patient&apos;s key on chain: the server never reads it.
            </p>
          </div>
          <ExpiryPicker value={expiry} onChange={setExpiry} error={expiryError} legend="Proposed expiry" />
        </fieldset>
        <Button type="submit" disabled={sending.status === "sending"}>
          {sending.status === "sending" ? "Sending…" : "Send the request"}
        </Button>
        {sending.status === "sent" && (
          <Alert tone="success" testId="ask-sent">
            {sending.text}
          </Alert>
        )}
        {sending.status === "failed" && (
          <Alert tone="error" title={sending.open ? "You already asked this patient" : "The request was not sent"} testId="ask-error">
            {sending.text}
          </Alert>
        )}
      </form>

      {withdrawError && (
        <Alert tone="error" title="The request was not withdrawn">
          {withdrawError}
        </Alert>
      )}
      {loaded.status === "loading" && <p className="text-slate-600">Loading your access requests…</p>}
      {loaded.status === "error" && (
        <Alert tone="error" title="Could not load your access requests">
          {loaded.message}
        </Alert>
      )}
      {loaded.status === "ready" && requests.length === 0 && <p className="text-sm text-slate-600" data-testid="sent-requests-empty">You have not asked any patient for access yet.</p>}
      {requests.length > 0 && (
        <ul className="space-y-2" aria-label="Your access requests">
          {requests.map((request) => (
            <li
              key={request.id}
              className="flex flex-wrap items-start justify-between gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm"
              data-testid="sent-request"
              data-request-id={request.id}
              data-patient={request.patient}
              data-status={request.status}
            >
              <div className="space-y-1">
                <p className="break-all font-mono text-xs">Patient {request.patient}</p>
                <p>
                  {requestedScope(request)} · {describeExpiry(request.proposedExpiry)}
                </p>
                <p className="text-slate-600">{reasons.get(request.id) ?? "(the reason cannot be decrypted with your current key)"}</p>
              </div>
              <div className="flex items-center gap-3">
                <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${STATUS_TEXT[request.status].tone}`} data-testid="sent-request-status">
                  {STATUS_TEXT[request.status].label}
                </span>
                {request.status === "pending" && (
                  <Button variant="secondary" onClick={() => void withdraw(request)}>
                    Withdraw
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
