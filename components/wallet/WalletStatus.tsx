"use client";

import type { WalletState } from "@/lib/wallet";
import { useWallet } from "./WalletProvider";

const shortAddress = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** What each not-ready state means and the one action that fixes it. */
export function describeState(state: WalletState, chainName: string, chainId: number) {
  switch (state.status) {
    case "detecting":
      return { title: "Looking for a wallet…", detail: "" };
    case "no-wallet":
      return {
        title: "No wallet found",
        detail: "Install MetaMask (metamask.io) in this browser, then reload this page.",
      };
    case "disconnected":
      return { title: "Wallet not connected", detail: "Connect your wallet (unlock MetaMask if it asks for your password)." };
    case "wrong-network":
      return {
        title: "Wrong network",
        detail: `Your wallet is on chain ${state.chainId}. Switch to ${chainName} (chain id ${chainId}).`,
      };
    case "no-contracts":
      return {
        title: "Contracts not deployed",
        detail: `Nothing is deployed on chain ${chainId} yet. Start the system with \`npm start\` (it deploys them) or ask the operator.`,
      };
    case "ready":
      return { title: `Connected: ${shortAddress(state.account)}`, detail: "" };
  }
}

/** The header control: shows the wallet state and offers the fix for the current one. */
export function WalletStatus() {
  const { state, config, connect, switchNetwork, error } = useWallet();
  const { title } = describeState(state, config.chainName, config.chainId);
  return (
    <div className="flex items-center gap-3 text-sm" aria-live="polite">
      <span data-testid="wallet-status" data-status={state.status} className="text-slate-700">
        {title}
      </span>
      {state.status === "disconnected" && (
        <button type="button" onClick={() => void connect()} className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
          Connect wallet
        </button>
      )}
      {state.status === "wrong-network" && (
        <button type="button" onClick={() => void switchNetwork()} className="rounded-md bg-amber-600 px-3 py-1.5 font-medium text-white hover:bg-amber-700">
          Switch network
        </button>
      )}
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </div>
  );
}
