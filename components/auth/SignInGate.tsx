"use client";

import type { ReactNode } from "react";
import { WalletGate } from "@/components/wallet/WalletGate";
import { useSession } from "@/components/wallet/SessionProvider";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import type { ReadyWallet } from "@/lib/wallet";

export type PortalRole = "patient" | "doctor" | "admin";

/**
 * Any portal's entrance: a ready wallet, then Sign-In with Ethereum (one session per account and chain).
 * Children render once signed in, below a bar (data-testid `<role>-ready`) with the address and "Sign out".
 * They remount whenever the account or chain changes.
 */
export function SignInGate({ role, children }: { role: PortalRole; children: (wallet: ReadyWallet) => ReactNode }) {
  return (
    <WalletGate>
      {(wallet) => (
        <SignedInArea key={`${wallet.account}:${wallet.chainId}`} role={role} wallet={wallet}>
          {children}
        </SignedInArea>
      )}
    </WalletGate>
  );
}

function SignedInArea({ role, wallet, children }: { role: PortalRole; wallet: ReadyWallet; children: (wallet: ReadyWallet) => ReactNode }) {
  const { session, signIn, signOut, error } = useSession();
  if (session.status === "checking") return <p className="text-slate-600">Checking your session…</p>;
  if (session.status !== "signed-in") {
    return (
      <section className="mx-auto max-w-lg space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="sign-in">
        <h2 className="text-lg font-semibold">Sign in with your wallet</h2>
        <p className="text-slate-600">
          Your wallet signs a one-time message that proves you hold account <span className="font-mono text-sm">{wallet.account}</span>. It costs
          nothing and sends no transaction.
        </p>
        {session.status === "signed-out" && session.reason && <Alert tone="info">{session.reason}</Alert>}
        {error && <Alert tone="error">{error}</Alert>}
        <Button onClick={() => void signIn()} disabled={session.status === "signing-in"}>
          {session.status === "signing-in" ? "Waiting for your wallet…" : "Sign in with Ethereum"}
        </Button>
      </section>
    );
  }
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600" data-testid={`${role}-ready`}>
        <span>
          Signed in as <span className="font-mono">{session.address}</span>
        </span>
        <Button variant="secondary" onClick={() => void signOut()}>
          Sign out
        </Button>
      </div>
      {children(wallet)}
    </div>
  );
}
