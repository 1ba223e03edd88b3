"use client";

import { useEffect, useState } from "react";
import { adminApi, explainAdminError } from "@/lib/admin/client";
import { Alert } from "@/components/ui/Alert";

type Overview = Awaited<ReturnType<typeof adminApi.getOverview>>;

const COUNTS: { key: keyof Overview; label: string }[] = [
  { key: "doctors", label: "Doctors" },
  { key: "activeDoctors", label: "Active doctors" },
  { key: "patients", label: "Patients" },
  { key: "records", label: "Records" },
  { key: "activeGrants", label: "Active grants" },
  { key: "accesses", label: "Record openings" },
];

/** System counts from chain views and events (GET /api/admin/overview); reloaded when `version` changes. */
export function OverviewPanel({ version }: { version: number }) {
  const [overview, setOverview] = useState<Overview>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    adminApi
      .getOverview()
      .then((next) => {
        if (cancelled) return;
        setOverview(next);
        setError(undefined);
      })
      .catch((cause: unknown) => !cancelled && setError(explainAdminError(cause)));
    return () => {
      cancelled = true;
    };
  }, [version]);

  return (
    <section aria-labelledby="overview-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="overview-heading" className="text-lg font-semibold">
        Overview
      </h2>
      {error && (
        <div className="mt-2">
          <Alert tone="error">Could not load the counts: {error}</Alert>
        </div>
      )}
      {!overview && !error && <p className="mt-2 text-slate-600">Counting…</p>}
      {overview && (
        <dl className="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-6" data-testid="overview">
          {COUNTS.map(({ key, label }) => (
            <div key={key} className="rounded-md border border-slate-200 p-3">
              <dt className="text-xs text-slate-600">{label}</dt>
              <dd className="text-2xl font-semibold" data-testid={`overview-${key}`}>
                {overview[key]}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
