"use client";

import { WalletGate } from "@/components/wallet/WalletGate";

/** The doctor's area; every part of it needs a ready wallet. */
export function DoctorPortal() {
  return (
    <WalletGate>
      {(wallet) => (
        <p className="text-slate-700" data-testid="doctor-ready">
          Connected as {wallet.account}.
        </p>
      )}
    </WalletGate>
  );
}
