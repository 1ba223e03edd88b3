"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { WalletState } from "@/lib/wallet";
import { browserChain, encryptionKeyOf, type BrowserChain } from "@/lib/chain/client";
import { loadStoredBackup, type UnlockedKey } from "@/lib/keystore";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { SignUp } from "./SignUp";
import { UnlockKey } from "./UnlockKey";
import { RestoreKey } from "./RestoreKey";
import { Dashboard } from "./Dashboard";

type ReadyWallet = Extract<WalletState, { status: "ready" }>;

type Facts = { chainKey: string | undefined; hasStoredKey: boolean };

/**
 * Which key screen the patient needs: sign up (no key anywhere), finish sign-up (key here, not on chain yet),
 * unlock (key here and on chain), restore (on chain, not on this device); then the dashboard.
 */
export function KeyGate({ wallet }: { wallet: ReadyWallet }) {
  const chain = useMemo<BrowserChain>(() => browserChain(wallet.wallet.provider, wallet.addresses, wallet.account), [wallet]);
  const [facts, setFacts] = useState<Facts | { error: string } | undefined>();
  const [key, setKey] = useState<UnlockedKey>();
  const [mode, setMode] = useState<"default" | "restore" | "new">("default");

  // Zero the secret key when the gate goes away (account or chain switch, sign-out, leaving the page).
  // React's development double-mount runs this cleanup and then the setup again on the same instance, so
  // the zeroing waits a tick and is skipped if the gate was mounted again meanwhile.
  const keyRef = useRef<UnlockedKey | undefined>(undefined);
  const mountedRef = useRef(false);
  useEffect(() => {
    keyRef.current = key;
  }, [key]);
  useEffect(() => {
    mountedRef.current = true;
    return () => {
      mountedRef.current = false;
      setTimeout(() => {
        if (!mountedRef.current) keyRef.current?.secretKey.fill(0);
      }, 0);
    };
  }, []);

  const reload = useCallback(async () => {
    try {
      const [chainKey, stored] = await Promise.all([encryptionKeyOf(chain, wallet.account), loadStoredBackup(wallet.account)]);
      setFacts({ chainKey, hasStoredKey: stored !== undefined });
    } catch (error) {
      setFacts({ error: error instanceof Error ? error.message : "Could not read the chain." });
    }
  }, [chain, wallet.account]);

  useEffect(() => {
    let cancelled = false;
    void Promise.all([encryptionKeyOf(chain, wallet.account), loadStoredBackup(wallet.account)])
      .then(([chainKey, stored]) => !cancelled && setFacts({ chainKey, hasStoredKey: stored !== undefined }))
      .catch((error: unknown) => !cancelled && setFacts({ error: error instanceof Error ? error.message : "Could not read the chain." }));
    return () => {
      cancelled = true;
    };
  }, [chain, wallet.account]);

  if (key) return <Dashboard chain={chain} keyPair={key} onLock={() => {
          // Forget the key: zero it, then drop the reference.
          key.secretKey.fill(0);
          setKey(undefined);
          // The facts may be stale (e.g. read before sign-up registered the key): read them again.
          setFacts(undefined);
          setMode("default");
          void reload();
        }} />;
  if (!facts) return <p className="text-slate-600">Looking for your key…</p>;
  if ("error" in facts) {
    return (
      <Alert tone="error" title="Could not check your registration">
        {facts.error}{" "}
        <Button variant="link" onClick={() => void reload()}>
          Try again
        </Button>
      </Alert>
    );
  }

  const registered = facts.chainKey !== undefined;
  if (mode === "restore" && registered) return <RestoreKey address={wallet.account} chainKey={facts.chainKey} onRestored={setKey} onCancel={facts.hasStoredKey ? () => setMode("default") : undefined} />;
  if (!registered && (mode === "new" || !facts.hasStoredKey)) return <SignUp chain={chain} address={wallet.account} onDone={setKey} />;
  if (!registered) {
    // A key was made here but registration did not finish.
    return <UnlockKey address={wallet.account} finishSignUp={chain} onUnlocked={setKey} onStartOver={() => setMode("new")} />;
  }
  if (!facts.hasStoredKey) return <RestoreKey address={wallet.account} chainKey={facts.chainKey} onRestored={setKey} />;
  return <UnlockKey address={wallet.account} chainKey={facts.chainKey} onUnlocked={setKey} onRestore={() => setMode("restore")} />;
}
