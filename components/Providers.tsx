"use client";

import type { ReactNode } from "react";
import type { ChainConfig } from "@/lib/wallet";
import { SessionProvider } from "./wallet/SessionProvider";
import { WalletProvider } from "./wallet/WalletProvider";

/** Every client-side provider in one place, so the layout stays a server component. */
export function Providers({ chain, children }: { chain: ChainConfig; children: ReactNode }) {
  return (
    <WalletProvider config={chain}>
      <SessionProvider>{children}</SessionProvider>
    </WalletProvider>
  );
}
