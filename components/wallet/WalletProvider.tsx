"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { discoverWallets, readWalletState, switchToChain, type ChainConfig, type DiscoveredWallet, type WalletState } from "@/lib/wallet";

interface WalletContextValue {
  state: WalletState;
  config: ChainConfig;
  connect(): Promise<void>;
  switchNetwork(): Promise<void>;
  refresh(): Promise<void>;
  /** The last error from connect/switch, in words. */
  error?: string;
}

const WalletContext = createContext<WalletContextValue | null>(null);

/** Holds the wallet state for the whole app and re-reads it when the account or chain changes. */
export function WalletProvider({ config, children }: { config: ChainConfig; children: ReactNode }) {
  const [state, setState] = useState<WalletState>({ status: "detecting" });
  const [error, setError] = useState<string>();
  const walletRef = useRef<DiscoveredWallet | undefined>(undefined);

  const refresh = useCallback(async () => {
    const wallet = walletRef.current;
    if (!wallet) return setState({ status: "no-wallet" });
    try {
      setState(await readWalletState(wallet, config));
    } catch {
      setState({ status: "disconnected", wallet });
    }
  }, [config]);

  useEffect(() => {
    let cancelled = false;
    const onChange = () => void refresh();
    void discoverWallets().then((wallets) => {
      if (cancelled) return;
      walletRef.current = wallets[0];
      walletRef.current?.provider.on?.("accountsChanged", onChange);
      walletRef.current?.provider.on?.("chainChanged", onChange);
      void refresh();
    });
    return () => {
      cancelled = true;
      walletRef.current?.provider.removeListener?.("accountsChanged", onChange);
      walletRef.current?.provider.removeListener?.("chainChanged", onChange);
    };
  }, [refresh]);

  const act = useCallback(
    async (action: (wallet: DiscoveredWallet) => Promise<unknown>) => {
      const wallet = walletRef.current;
      if (!wallet) return;
      setError(undefined);
      try {
        await action(wallet);
      } catch (cause) {
        setError(describeWalletError(cause));
      }
      await refresh();
    },
    [refresh],
  );

  const value = useMemo<WalletContextValue>(
    () => ({
      state,
      config,
      error,
      refresh,
      connect: () => act((wallet) => wallet.provider.request({ method: "eth_requestAccounts" })),
      switchNetwork: () => act((wallet) => switchToChain(wallet.provider, config)),
    }),
    [state, config, error, refresh, act],
  );

  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

export function useWallet(): WalletContextValue {
  const value = useContext(WalletContext);
  if (!value) throw new Error("useWallet must be used inside <WalletProvider>");
  return value;
}

function describeWalletError(cause: unknown): string {
  const code = (cause as { code?: unknown })?.code;
  if (code === 4001) return "You declined the request in your wallet.";
  if (code === -32002) return "Your wallet already has a request open: finish it in the wallet window.";
  return cause instanceof Error ? cause.message : "The wallet reported an error.";
}
