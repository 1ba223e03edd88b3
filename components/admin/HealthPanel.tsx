"use client";

import { useEffect, useState } from "react";
import { fetchHealth, type SystemHealth } from "@/lib/health/fetch-health";

const REFRESH_MS = 10_000;

function Part({ name, ok, children }: { name: string; ok: boolean; children: React.ReactNode }) {
  return (
    <li className="rounded-md border border-slate-200 p-4" data-testid={`health-${name.toLowerCase()}`} data-ok={ok}>
      <div className="flex items-center justify-between">
        <h3 className="font-medium">{name}</h3>
        <span className={ok ? "text-emerald-700" : "text-red-700"}>{ok ? "● up" : "● down"}</span>
      </div>
      <div className="mt-2 space-y-1 text-sm text-slate-600">{children}</div>
    </li>
  );
}

/** System health, refreshed every few seconds; green only when chain, database and IPFS are all up. */
export function HealthPanel() {
  const [health, setHealth] = useState<SystemHealth>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      fetchHealth(controller.signal)
        .then((report) => {
          setHealth(report);
          setError(undefined);
        })
        .catch((cause: unknown) => {
          if (!controller.signal.aborted) setError(cause instanceof Error ? cause.message : "Health check failed");
        });
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, []);

  return (
    <section aria-labelledby="health-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="health-heading" className="text-lg font-semibold">
        System health{" "}
        {health && (
          <span data-testid="health-overall" data-ok={health.ok} className={health.ok ? "text-emerald-700" : "text-red-700"}>
            {health.ok ? "— all systems up" : "— degraded"}
          </span>
        )}
      </h2>
      {error && <p role="alert" className="mt-2 text-red-700">{error}</p>}
      {!health && !error && <p className="mt-2 text-slate-600">Checking…</p>}
      {health && (
        <ul className="mt-4 grid gap-3 sm:grid-cols-3">
          <Part name="Chain" ok={health.chain.ok}>
            <p>Chain id {health.chain.chainId ?? "?"} (expected {health.chain.expectedChainId}), block {health.chain.blockNumber ?? "?"}</p>
            {Object.entries(health.chain.contracts).map(([name, contract]) => (
              <p key={name} className="break-all">
                {name}: {contract?.address} {contract?.bytecodePresent ? "" : "(no code)"}
              </p>
            ))}
            {health.chain.error && <p className="text-red-700">{health.chain.error}</p>}
          </Part>
          <Part name="Database" ok={health.database.ok}>
            {health.database.ok ? <p>Schema version {health.database.schemaVersion}</p> : <p className="text-red-700">{health.database.error}</p>}
          </Part>
          <Part name="IPFS" ok={health.ipfs.ok}>
            <p>Backend: {health.ipfs.backend === "embedded" ? "embedded store" : "Kubo node"}</p>
            {health.ipfs.error && <p className="text-red-700">{health.ipfs.error}</p>}
          </Part>
        </ul>
      )}
    </section>
  );
}
