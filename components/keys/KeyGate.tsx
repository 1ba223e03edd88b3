"use client";

import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import type { BrowserChain } from "@/lib/chain/client";
import { loadStoredBackup, type UnlockedKey } from "@/lib/keystore";
import { readKeyStatus, type KeyRole, type KeyStatus } from "@/lib/records/client/sign-up";
import { useBrowserChain } from "@/components/auth/useBrowserChain";
import type { ReadyWallet } from "@/lib/wallet";
import { Alert } from "@/components/ui/Alert";
import { SignUp } from "./SignUp";
import { UnlockKey } from "./UnlockKey";
import { RestoreKey } from "./RestoreKey";
import { FinishRotation } from "@/components/rotation/FinishRotation";
import { usePendingRotation } from "@/components/rotation/usePendingRotation";
import { LostKeyHelp } from "@/components/rotation/LostKeyHelp";
import { RetryAlert } from "@/components/ui/RetryAlert";

/** What a portal gets once its key is unlocked. */
export interface UnlockedArea {
  chain: BrowserChain;
  keyPair: UnlockedKey;
  /** Zeroes the key and returns to the unlock screen. */
  onLock: () => void;
}

type Facts = { status: KeyStatus; hasStoredKey: boolean };

const readFacts = async (chain: BrowserChain, address: string, role: KeyRole): Promise<Facts> => {
  const [status, stored] = await Promise.all([readKeyStatus(chain, address, role), loadStoredBackup(address)]);
  return { status, hasStoredKey: stored !== undefined };
};

const failure = (error: unknown) => ({ error: error instanceof Error ? error.message : "Could not read the chain." });

/**
 * Which key screen the user needs in `role`: create (no key anywhere), finish (key here, not on chain yet),
 * unlock (key here and on chain), restore (on chain, not on this device); then `children` with the key.
 * A doctor who is not an active doctor is told why (never registered, or deactivated) instead.
 */
export function KeyGate({ role, wallet, children }: { role: KeyRole; wallet: ReadyWallet; children: (area: UnlockedArea) => ReactNode }) {
  const chain = useBrowserChain(wallet);
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
      setFacts(await readFacts(chain, wallet.account, role));
    } catch (error) {
      setFacts(failure(error));
    }
  }, [chain, wallet.account, role]);

  useEffect(() => {
    let cancelled = false;
    void readFacts(chain, wallet.account, role)
      .then((next) => !cancelled && setFacts(next))
      .catch((error: unknown) => !cancelled && setFacts(failure(error)));
    return () => {
      cancelled = true;
    };
  }, [chain, wallet.account, role]);

  // A key rotation interrupted on this device (lib/rotation/client) is finished before anything else.
  const pendingRotation = usePendingRotation(chain, wallet.account, facts);

  if (key) {
    const onLock = () => {
      // Forget the key: zero it, then drop the reference.
      key.secretKey.fill(0);
      setKey(undefined);
      // The facts may be stale (e.g. read before sign-up registered the key): read them again.
      setFacts(undefined);
      setMode("default");
      void reload();
    };
    return <>{children({ chain, keyPair: key, onLock })}</>;
  }
  if (!facts) return <p className="text-slate-600">Looking for your key…</p>;
  if ("error" in facts) {
    return <RetryAlert title="Could not check your registration" message={facts.error} onRetry={() => void reload()} />;
  }
  if (pendingRotation.state !== "none") return <FinishRotation role={role} chain={chain} address={wallet.account} pending={pendingRotation} onDone={setKey} />;
  if (facts.status.status !== "ready") return <NotActiveDoctor reason={facts.status.status} address={wallet.account} />;

  const { chainKey } = facts.status;
  const registered = chainKey !== undefined;
  if (mode === "restore" && registered) {
    return <RestoreKey address={wallet.account} chainKey={chainKey} onRestored={setKey} onCancel={facts.hasStoredKey ? () => setMode("default") : undefined} />;
  }
  if (!registered && (mode === "new" || !facts.hasStoredKey)) return <SignUp role={role} chain={chain} address={wallet.account} onDone={setKey} />;
  if (!registered) {
    // A key was made here (or serves this wallet's other role) but is not on chain for this role yet.
    return <UnlockKey role={role} address={wallet.account} finishSignUp={chain} onUnlocked={setKey} onStartOver={() => setMode("new")} />;
  }
  if (!facts.hasStoredKey) {
    // No key on this device: restore the backup file, or learn what a lost key means (components/rotation).
    return (
      <div className="space-y-4">
        <RestoreKey address={wallet.account} chainKey={chainKey} onRestored={setKey} />
        <div className="mx-auto max-w-lg">
          <LostKeyHelp role={role} />
        </div>
      </div>
    );
  }
  return <UnlockKey role={role} address={wallet.account} chainKey={chainKey} onUnlocked={setKey} onRestore={() => setMode("restore")} />;
}

/** The doctor portal's answer to a wallet that is not an active doctor, with what to do about it. */
function NotActiveDoctor({ reason, address }: { reason: "not-registered" | "deactivated"; address: string }) {
  return (
    <section className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="doctor-refused" data-reason={reason}>
      {reason === "not-registered" ? (
        <Alert tone="warning" title="This wallet is not registered as a doctor">
          Account <span className="font-mono">{address}</span> was never registered as a doctor. Ask a hospital administrator to register it on the
          admin dashboard, then reload this page.
        </Alert>
      ) : (
        <Alert tone="error" title="Your doctor account is deactivated">
          An administrator deactivated account <span className="font-mono">{address}</span>: you cannot open or add records now. Ask an
          administrator to reactivate it.
        </Alert>
      )}
    </section>
  );
}
