"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { DoctorEntry } from "@/lib/api/schemas";
import { deactivateDoctor, reactivateDoctor, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { explainAdminError } from "@/lib/admin/client";
import { getDoctors } from "@/lib/sharing/client/api";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { TxProgress } from "./TxProgress";

const PAGE_SIZE = 10;

type Page = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; total: number; doctors: DoctorEntry[] };
type Action = { doctor: DoctorEntry; kind: "deactivate" | "reactivate"; stage: "confirm" } | { doctor: DoctorEntry; kind: "deactivate" | "reactivate"; stage: "sending"; tx: TxStatus };
type Outcome = { tone: "success" | "error"; text: string; address: string };

const formatDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** The registry (GET /api/doctors) with search and paging; deactivate / reactivate after a confirmation. */
export function DoctorList({ chain, version, onChanged }: { chain: BrowserChain; version: number; onChanged: () => void }) {
  const id = useId();
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page>({ status: "loading" });
  const [action, setAction] = useState<Action>();
  const [outcome, setOutcome] = useState<Outcome>();
  const outcomeRef = useRef<HTMLDivElement>(null);
  const confirmRef = useRef<HTMLDivElement>(null);

  // The search applies a moment after typing stops.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(query);
      setOffset(0);
    }, 250);
    return () => clearTimeout(timer);
  }, [query]);

  useEffect(() => {
    let cancelled = false;
    getDoctors({ q: search, offset, limit: PAGE_SIZE })
      .then((result) => !cancelled && setPage({ status: "ready", total: result.total, doctors: result.doctors }))
      .catch((error: unknown) => !cancelled && setPage({ status: "error", message: explainAdminError(error) }));
    return () => {
      cancelled = true;
    };
  }, [search, offset, version]);

  useEffect(() => {
    if (action?.stage === "confirm") confirmRef.current?.querySelector("button")?.focus();
  }, [action]);

  const run = async (doctor: DoctorEntry, kind: "deactivate" | "reactivate") => {
    setAction({ doctor, kind, stage: "sending", tx: { stage: "checking" } });
    const onStatus = (tx: TxStatus) => setAction({ doctor, kind, stage: "sending", tx });
    try {
      await (kind === "deactivate" ? deactivateDoctor : reactivateDoctor)(chain, doctor.address, onStatus);
      setOutcome({
        tone: "success",
        address: doctor.address,
        text:
          kind === "deactivate"
            ? `${doctor.name} is deactivated: from now on they cannot open, log or add any record. Patients' grants are kept and apply again if the doctor is reactivated.`
            : `${doctor.name} is active again: grants their patients have not revoked and that have not expired apply again.`,
      });
      onChanged();
    } catch (error) {
      setOutcome({ tone: "error", address: doctor.address, text: `${kind === "deactivate" ? "Deactivation" : "Reactivation"} failed: ${explainAdminError(error)}` });
    }
    setAction(undefined);
    requestAnimationFrame(() => outcomeRef.current?.focus());
  };

  const input = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";
  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="doctor-list">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        Doctors
      </h2>
      <div role="search">
        <label htmlFor={`${id}-search`} className="block text-sm font-medium">
          Search doctors
        </label>
        <input id={`${id}-search`} type="search" className={input} value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Name, specialty or address" />
      </div>
      <div ref={outcomeRef} tabIndex={-1} className="outline-none">
        {outcome && (
          <Alert tone={outcome.tone} testId="doctor-action-result">
            {outcome.text}
          </Alert>
        )}
      </div>
      {page.status === "loading" && <p className="text-slate-600">Loading doctors…</p>}
      {page.status === "error" && <Alert tone="error">Could not load the doctors: {page.message}</Alert>}
      {page.status === "ready" && (
        <>
          <p className="text-sm text-slate-600" aria-live="polite" data-testid="doctor-count">
            {page.total === 0
              ? search
                ? "No doctor matches this search."
                : "No doctor is registered yet."
              : `Showing ${offset + 1}–${offset + page.doctors.length} of ${page.total} doctor${page.total === 1 ? "" : "s"}`}
          </p>
          {page.doctors.length > 0 && (
            <ul className="divide-y divide-slate-200" aria-label="Registered doctors">
              {page.doctors.map((doctor) => {
                const busy = action?.doctor.address === doctor.address ? action : undefined;
                return (
                  <li key={doctor.address} className="space-y-2 py-3" data-testid="doctor-row" data-address={doctor.address} data-active={doctor.active}>
                    <div className="flex flex-wrap items-start justify-between gap-3">
                      <div className="min-w-0">
                        <p className="font-medium">{doctor.name}</p>
                        <p className="text-sm text-slate-700">{doctor.specialty}</p>
                        <p className="break-all font-mono text-xs text-slate-600">{doctor.address}</p>
                        <p className="text-xs text-slate-600">
                          <span data-testid="doctor-status" className={doctor.active ? "text-emerald-700" : "text-red-700"}>
                            {doctor.active ? "Active" : "Deactivated"}
                          </span>{" "}
                          · {doctor.hasKey ? "key published" : "no key yet"} · registered {formatDate(doctor.registeredAt)}
                        </p>
                      </div>
                      {!busy && (
                        <Button
                          variant={doctor.active ? "danger" : "secondary"}
                          disabled={action !== undefined}
                          aria-label={`${doctor.active ? "Deactivate" : "Reactivate"} ${doctor.name}`}
                          onClick={() => {
                            setOutcome(undefined);
                            setAction({ doctor, kind: doctor.active ? "deactivate" : "reactivate", stage: "confirm" });
                          }}
                        >
                          {doctor.active ? "Deactivate" : "Reactivate"}
                        </Button>
                      )}
                    </div>
                    {busy?.stage === "confirm" && (
                      <div role="group" aria-label={`Confirm ${busy.kind}`} className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="doctor-confirm">
                        <p>
                          {busy.kind === "deactivate"
                            ? `Deactivate ${doctor.name}? They lose every right at once: no record can be opened, logged or added, and no patient can grant them access. Patients' grants are kept.`
                            : `Reactivate ${doctor.name}? Grants that patients have not revoked and that have not expired apply again.`}
                        </p>
                        <div ref={confirmRef} className="mt-2 flex gap-3">
                          <Button variant={busy.kind === "deactivate" ? "danger" : "primary"} onClick={() => void run(doctor, busy.kind)}>
                            {busy.kind === "deactivate" ? "Confirm deactivation" : "Confirm reactivation"}
                          </Button>
                          <Button variant="secondary" onClick={() => setAction(undefined)}>
                            Cancel
                          </Button>
                        </div>
                      </div>
                    )}
                    {busy?.stage === "sending" && <TxProgress label={busy.kind === "deactivate" ? "Deactivating" : "Reactivating"} tx={busy.tx} />}
                  </li>
                );
              })}
            </ul>
          )}
          {page.total > PAGE_SIZE && (
            <nav aria-label="Doctors pages" className="flex items-center gap-3">
              <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                Previous page
              </Button>
              <Button variant="secondary" disabled={offset + PAGE_SIZE >= page.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                Next page
              </Button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
