"use client";

import { useId, useMemo, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyRecords, type RecordEntry } from "@/lib/records/client";
import { reencryptRecord, type ReencryptProgress, type ReencryptResult } from "@/lib/reencrypt/client/reencrypt";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { useLoaded } from "@/components/ui/useLoaded";
import { txDetail } from "@/components/keys/RegisterSteps";

type OkEntry = Extract<RecordEntry, { status: "ok" }>;
type ItemState = { state: "waiting" } | { state: "running"; progress: ReencryptProgress } | { state: "done"; result: ReencryptResult } | { state: "failed"; message: string };

function describe(progress: ReencryptProgress): string {
  switch (progress.step) {
    case "read":
      return "Downloading and decrypting…";
    case "encrypt":
      return "Encrypting under a new data key…";
    case "upload":
      return `Uploading the new ciphertext (${progress.sent} of ${progress.total} bytes)…`;
    case "amend":
      return `Amending the record on chain: ${txDetail(progress.tx)}`;
    case "exclude":
      return `Revoking the new record from ${progress.doctor}, who was revoked from the old one${progress.tx ? `: ${txDetail(progress.tx)}` : "…"}`;
    case "confirm":
      return `Confirming the new record ${progress.recordId} with the key store…`;
    case "grant":
      return `Granting ${progress.doctor} the new record with the same expiry${progress.tx ? `: ${txDetail(progress.tx)}` : "…"}`;
    case "retire":
      return "Deleting the old copy's keys and unpinning its ciphertext…";
    case "done":
      return `Done: new record ${progress.newRecordId}.`;
  }
}

function outcome(result: ReencryptResult): string {
  const parts = [`Re-encrypted as record ${result.newRecordId}; the old copy was removed (${result.deletedKeys} wrapped key${result.deletedKeys === 1 ? "" : "s"} deleted).`];
  if (result.regranted.length) parts.push(`Per-record readers kept: ${result.regranted.map((entry) => entry.doctor).join(", ")}.`);
  if (result.allRecordsReaders.length) parts.push(`Readers by an all-records grant: ${result.allRecordsReaders.join(", ")}.`);
  if (result.excluded.length) parts.push(`Revoked from the new record too: ${result.excluded.join(", ")}.`);
  if (result.skipped.length) parts.push(`Not carried over: ${result.skipped.join(" ")}`);
  return parts.join(" ");
}

/**
 * Re-encryption after a revocation: the patient picks records; each gets a new data key, a new ciphertext and a
 * new CID (amendRecord), wrapped only for the current readers, and the old ciphertext is unpinned. One record at a
 * time, with its progress; a failure leaves that record as it was (or resumable) and stops nothing else.
 */
export function ReencryptPanel({ chain, keyPair, onChanged }: { chain: BrowserChain; keyPair: UnlockedKey; onChanged?: () => void }) {
  const id = useId();
  const { loaded, reload } = useLoaded(() => loadMyRecords(chain, keyPair), "Could not load your records.", [chain, keyPair]);
  const current = useMemo(
    // Every record the patient can open; an amended one still stored is offered too, to finish (remove the old copy).
    () => (loaded.status === "ready" ? loaded.value.filter((entry): entry is OkEntry => entry.status === "ok") : []),
    [loaded],
  );
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [items, setItems] = useState<Map<string, ItemState>>(new Map());
  const [titles, setTitles] = useState<Map<string, string>>(new Map());
  const [running, setRunning] = useState(false);

  const toggle = (recordId: string) =>
    setChosen((previous) => {
      const next = new Set(previous);
      if (next.has(recordId)) next.delete(recordId);
      else next.add(recordId);
      return next;
    });

  const run = async () => {
    const picked = current.filter((entry) => chosen.has(entry.chain.recordId));
    if (picked.length === 0) return;
    setRunning(true);
    setTitles(new Map(picked.map((entry) => [entry.chain.recordId, entry.metadata.title])));
    const state = new Map<string, ItemState>(picked.map((entry) => [entry.chain.recordId, { state: "waiting" }]));
    const set = (recordId: string, value: ItemState) => {
      state.set(recordId, value);
      setItems(new Map(state));
    };
    setItems(new Map(state));
    for (const entry of picked) {
      try {
        const result = await reencryptRecord({ chain, key: keyPair, record: entry.chain }, (progress) => set(entry.chain.recordId, { state: "running", progress }));
        set(entry.chain.recordId, { state: "done", result });
      } catch (cause) {
        set(entry.chain.recordId, { state: "failed", message: cause instanceof Error ? cause.message : String(cause) });
      }
    }
    setChosen(new Set());
    setRunning(false);
    reload();
    onChanged?.();
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6" data-testid="reencrypt">
      <h2 id={`${id}-heading`} className="text-xl font-semibold">
        Re-encrypt records after a revocation
      </h2>
      <p className="text-sm text-slate-600">
        A revoked doctor may have kept a record&apos;s key from an earlier opening. Re-encrypting gives the record a new key and a new file (a new version on
        chain); only you and the doctors who can read it now get the new key, and the old file is deleted from storage, so an old key opens nothing that is
        still stored. What a doctor already downloaded cannot be taken back.
      </p>
      {loaded.status === "loading" && <p className="text-slate-600">Loading your records…</p>}
      {loaded.status === "error" && <Alert tone="error">{loaded.message}</Alert>}
      {loaded.status === "ready" && current.length === 0 && <p className="text-slate-600">You have no records to re-encrypt.</p>}
      {current.length > 0 && (
        <fieldset className="space-y-2" disabled={running}>
          <legend className="text-sm font-medium">Records to re-encrypt</legend>
          {current.map((entry) => (
            <label key={entry.chain.recordId} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={chosen.has(entry.chain.recordId)} onChange={() => toggle(entry.chain.recordId)} />
              {entry.metadata.title}
              {entry.chain.supersededBy !== "0" && <span className="text-slate-600"> (amended by record {entry.chain.supersededBy}: finish by removing this old copy)</span>}
            </label>
          ))}
        </fieldset>
      )}
      <Button onClick={() => void run()} disabled={running || chosen.size === 0}>
        {running ? "Re-encrypting…" : "Re-encrypt the chosen records"}
      </Button>
      {items.size > 0 && (
        <ol className="space-y-2 text-sm" aria-live="polite" data-testid="reencrypt-progress">
          {[...items].map(([recordId, item]) => (
            <li
              key={recordId}
              data-testid="reencrypt-item"
              data-record-id={recordId}
              data-state={item.state}
              data-new-record-id={item.state === "done" ? item.result.newRecordId : undefined}
              className={item.state === "failed" ? "text-red-700" : item.state === "done" ? "text-emerald-700" : "text-slate-800"}
            >
              <span className="font-medium">{titles.get(recordId) ?? recordId}</span>:{" "}
              {item.state === "waiting" ? "waiting" : item.state === "running" ? describe(item.progress) : item.state === "done" ? outcome(item.result) : item.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
