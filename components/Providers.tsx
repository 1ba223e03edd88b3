"use client";

import type { ReactNode } from "react";
import type { ChainConfig } from "@/lib/wallet";
import { UploadLimitContext } from "./UploadLimit";
import { SessionProvider } from "./wallet/SessionProvider";
import { WalletProvider } from "./wallet/WalletProvider";

/** Every client-side provider in one place, so the layout stays a server component. */
export function Providers({ chain, maxUploadBytes, children }: { chain: ChainConfig; maxUploadBytes: number; children: ReactNode }) {
  return (
    <UploadLimitContext.Provider value={maxUploadBytes}>
      <WalletProvider config={chain}>
        <SessionProvider>{children}</SessionProvider>
      </WalletProvider>
    </UploadLimitContext.Provider>
  );
}
