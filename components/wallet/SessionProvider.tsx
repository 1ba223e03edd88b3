"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { getSession, signIn as signInWithEthereum, signOut as endSession } from "@/lib/auth/client";
import { useWallet } from "./WalletProvider";

export type SessionState =
  | { status: "checking" }
  | { status: "signed-out"; reason?: string }
  | { status: "signing-in" }
  | { status: "signed-in"; address: string; chainId: number; expiresAt: string };

interface SessionContextValue {
  session: SessionState;
  signIn(): Promise<void>;
  signOut(reason?: string): Promise<void>;
  error?: string;
}

const SessionContext = createContext<SessionContextValue | null>(null);

function describe(error: unknown): string {
  if ((error as { code?: unknown })?.code === 4001) return "You declined the sign-in request in your wallet.";
  return error instanceof Error ? error.message : "Sign-in failed.";
}

/**
 * The Sign-In with Ethereum session (httpOnly cookie). It belongs to one wallet account on one chain: when the
 * wallet switches account or chain, the session is ended on the server and the app returns to sign-in.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const { state } = useWallet();
  const [session, setSession] = useState<SessionState>({ status: "checking" });
  const [error, setError] = useState<string>();

  const account = state.status === "ready" || state.status === "wrong-network" || state.status === "no-contracts" ? state.account : undefined;
  const chainId = "chainId" in state ? state.chainId : undefined;
  const walletKnown = state.status !== "detecting";

  const signOut = useCallback(async (reason?: string) => {
    setSession({ status: "signed-out", reason });
    await endSession().catch(() => undefined);
  }, []);

  // Load the existing session once.
  useEffect(() => {
    let cancelled = false;
    getSession()
      .then((current) => {
        if (cancelled) return;
        setSession(current ? { status: "signed-in", ...current } : { status: "signed-out" });
      })
      .catch(() => !cancelled && setSession({ status: "signed-out" }));
    return () => {
      cancelled = true;
    };
  }, []);

  // The session belongs to one account on one chain; a wallet that moved makes it void at once (in render),
  // and the effect below ends it on the server.
  const mismatch =
    walletKnown && session.status === "signed-in" && (account !== session.address || chainId !== session.chainId)
      ? account && account !== session.address
        ? "Your wallet switched account, so you were signed out."
        : "Your wallet changed network or disconnected, so you were signed out."
      : undefined;
  const effective = useMemo<SessionState>(() => (mismatch ? { status: "signed-out", reason: mismatch } : session), [mismatch, session]);

  useEffect(() => {
    if (!mismatch) return;
    let cancelled = false;
    void endSession()
      .catch(() => undefined)
      .then(() => !cancelled && setSession({ status: "signed-out", reason: mismatch }));
    return () => {
      cancelled = true;
    };
  }, [mismatch]);

  const signIn = useCallback(async () => {
    if (state.status !== "ready") return;
    setError(undefined);
    setSession({ status: "signing-in" });
    try {
      const created = await signInWithEthereum(state.wallet.provider, { address: state.account, chainId: state.chainId });
      setSession({ status: "signed-in", ...created });
    } catch (cause) {
      setError(describe(cause));
      setSession({ status: "signed-out" });
    }
  }, [state]);

  const value = useMemo(() => ({ session: effective, signIn, signOut, error }), [effective, signIn, signOut, error]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession must be used inside <SessionProvider>");
  return value;
}
