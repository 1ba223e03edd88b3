"use client";

import { useCallback, useEffect, useState } from "react";
import { isAdmin, type BrowserChain } from "@/lib/chain/client";
import { SignInGate } from "@/components/auth/SignInGate";
import { useBrowserChain } from "@/components/auth/useBrowserChain";
import type { ReadyWallet } from "@/lib/wallet";
import { RetryAlert } from "@/components/ui/RetryAlert";
import { OverviewPanel } from "./OverviewPanel";
import { RegisterDoctorForm } from "./RegisterDoctorForm";
import { DoctorList } from "./DoctorList";
import { VerifyLicenceForm } from "./VerifyLicenceForm";
import { AdminsPanel } from "./AdminsPanel";
import { AdminEmergencyPanel } from "@/components/emergency/AdminEmergencyPanel";
import { EmergencySettings } from "./EmergencySettings";

/** The admin dashboard: a ready wallet, Sign-In with Ethereum, then DoctorContract.isAdmin on chain. */
export function AdminPortal() {
  return <SignInGate role="admin">{(wallet) => <AdminGate wallet={wallet} />}</SignInGate>;
}

type Check = { status: "checking" } | { status: "admin" } | { status: "not-admin" } | { status: "error"; message: string };

function AdminGate({ wallet }: { wallet: ReadyWallet }) {
  const chain = useBrowserChain(wallet);
  const [check, setCheck] = useState<Check>({ status: "checking" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    isAdmin(chain, wallet.account)
      .then((admin) => !cancelled && setCheck({ status: admin ? "admin" : "not-admin" }))
      .catch((error: unknown) => !cancelled && setCheck({ status: "error", message: error instanceof Error ? error.message : "Could not read the chain." }));
    return () => {
      cancelled = true;
    };
  }, [chain, wallet.account, attempt]);

  if (check.status === "checking") return <p className="text-slate-600">Checking your administrator role on chain…</p>;
  if (check.status === "error") {
    const retry = () => {
      setCheck({ status: "checking" });
      setAttempt((value) => value + 1);
    };
    return <RetryAlert title="Could not check your administrator role" message={check.message} onRetry={retry} />;
  }
  if (check.status === "not-admin") {
    return (
      <section className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="not-admin">
        <h2 className="text-lg font-semibold">You are not an administrator</h2>
        <p className="mt-2 text-slate-600">
          Account <span className="font-mono text-sm">{wallet.account}</span> is not an administrator on DoctorContract. An existing administrator
          can add it on this dashboard.
        </p>
      </section>
    );
  }
  return <AdminDashboard chain={chain} onNotAdmin={() => setCheck({ status: "not-admin" })} />;
}

/** Everything an administrator does; each change refreshes the overview and the doctors list. */
function AdminDashboard({ chain, onNotAdmin }: { chain: BrowserChain; onNotAdmin: () => void }) {
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((value) => value + 1), []);
  return (
    <div className="space-y-8" data-testid="admin-dashboard">
      <OverviewPanel version={version} />
      <RegisterDoctorForm chain={chain} onRegistered={changed} />
      <DoctorList chain={chain} version={version} onChanged={changed} />
      <VerifyLicenceForm chain={chain} />
      <AdminsPanel chain={chain} onChanged={changed} onSelfRemoved={onNotAdmin} />
      <EmergencySettings chain={chain} />
      <AdminEmergencyPanel chain={chain} />
    </div>
  );
}
