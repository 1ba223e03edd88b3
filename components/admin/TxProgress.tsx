"use client";

import type { TxStatus } from "@/lib/chain/client";
import { txDetail } from "@/components/keys/RegisterSteps";

/** One transaction's progress as a polite status line (checking -> wallet -> sent -> confirmed). */
export function TxProgress({ label, tx }: { label: string; tx: TxStatus }) {
  return (
    <p role="status" aria-live="polite" className="text-sm text-slate-700" data-testid="tx-progress" data-stage={tx.stage}>
      {label}: <span className="break-all">{txDetail(tx)}</span>
    </p>
  );
}
