"use client";

import { useCallback, useEffect, useState } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { loadPendingRotation, type PendingRotation } from "@/lib/keystore";
import { pendingReachedChain } from "@/lib/rotation/client/rotate";

export type PendingRotationState =
  | { state: "loading" }
  | { state: "none" }
  | { state: "pending"; rotation: PendingRotation; reachedChain: boolean; clear: () => void };

/**
 * An unfinished key rotation on this device for `address` (lib/keystore pending-rotation), and whether its new key
 * already reached the chain. Read again whenever `version` changes (e.g. the key gate's facts were re-read).
 */
export function usePendingRotation(chain: BrowserChain, address: string, version?: unknown): PendingRotationState {
  const [found, setFound] = useState<{ address: string; rotation?: PendingRotation; reachedChain: boolean }>();
  const clear = useCallback(() => setFound({ address, reachedChain: false }), [address]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const rotation = await loadPendingRotation(address).catch(() => undefined);
      const reachedChain = rotation ? await pendingReachedChain(chain, rotation).catch(() => false) : false;
      if (!cancelled) setFound({ address, rotation, reachedChain });
    })();
    return () => {
      cancelled = true;
    };
  }, [chain, address, version]);

  if (!found || found.address !== address) return { state: "loading" };
  if (!found.rotation) return { state: "none" };
  return { state: "pending", rotation: found.rotation, reachedChain: found.reachedChain, clear };
}
