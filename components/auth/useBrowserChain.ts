"use client";

import { useMemo } from "react";
import { browserChain, type BrowserChain } from "@/lib/chain/client";
import type { ReadyWallet } from "@/lib/wallet";

/** web3 over the ready wallet with the typed contracts, made once per wallet state (account, chain, provider). */
export function useBrowserChain(wallet: ReadyWallet): BrowserChain {
  return useMemo(() => browserChain(wallet.wallet.provider, wallet.addresses, wallet.account), [wallet]);
}
