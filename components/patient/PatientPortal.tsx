"use client";

import { SignInGate } from "@/components/auth/SignInGate";
import { KeyGate } from "@/components/keys/KeyGate";
import { Dashboard } from "./Dashboard";

/** The patient's area: a ready wallet, then Sign-In with Ethereum, then the key on this device. */
export function PatientPortal() {
  return (
    <SignInGate role="patient">
      {(wallet) => <KeyGate role="patient" wallet={wallet}>{({ chain, keyPair, onLock }) => <Dashboard chain={chain} keyPair={keyPair} onLock={onLock} />}</KeyGate>}
    </SignInGate>
  );
}
