"use client";

import type { BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { ReencryptPanel } from "./ReencryptPanel";
import { RotateKeyPanel } from "./RotateKeyPanel";

/** The patient's "Keys" tab: rotate the key pair, re-encrypt records after a revocation. */
export function KeysTab({ chain, keyPair, onLock, onRecordsChanged }: { chain: BrowserChain; keyPair: UnlockedKey; onLock: () => void; onRecordsChanged?: () => void }) {
  return (
    <div className="space-y-8">
      <RotateKeyPanel chain={chain} keyPair={keyPair} role="patient" onLock={onLock} />
      <ReencryptPanel chain={chain} keyPair={keyPair} onChanged={onRecordsChanged} />
    </div>
  );
}
