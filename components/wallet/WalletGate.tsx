"use client";

import type { ReactNode } from "react";
import type { ReadyWallet } from "@/lib/wallet";
import { useWallet } from "./WalletProvider";
import { describeState } from "./WalletStatus";

/** Renders children only with a ready wallet; otherwise a full explanation of what to do. */
export function WalletGate({ children }: { children: (state: ReadyWallet) => ReactNode }) {
  const { state, config, connect, switchNetwork } = useWallet();
  if (state.status === "ready") return <>{children(state)}</>;
  const { title, detail } = describeState(state, config.chainName, config.chainId);
  return (
    <section className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="wallet-gate">
      <h2 className="text-lg font-semibold">{title}</h2>
      {detail && <p className="mt-2 text-slate-600">{detail}</p>}
      {state.status === "disconnected" && (
        <button type="button" onClick={() => void connect()} className="mt-4 rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
          Connect wallet
        </button>
      )}
      {state.status === "wrong-network" && (
        <button type="button" onClick={() => void switchNetwork()} className="mt-4 rounded-md bg-amber-600 px-4 py-2 font-medium text-white hover:bg-amber-700">
          Switch to {config.chainName}
        </button>
      )}
    </section>
  );
}
