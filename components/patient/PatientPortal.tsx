"use client";

import { WalletGate } from "@/components/wallet/WalletGate";

/** The patient's area; every part of it needs a ready wallet. */
export function PatientPortal() {
  return (
    <WalletGate>
      {(wallet) => (
        <p className="text-slate-700" data-testid="patient-ready">
          Signed in with wallet {wallet.account}.
        </p>
      )}
    </WalletGate>
  );
}
