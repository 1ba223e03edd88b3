"use client";

import { SignInGate } from "@/components/auth/SignInGate";
import { KeyGate } from "@/components/keys/KeyGate";
import { DoctorHome } from "./DoctorHome";

/**
 * The doctor's area: a ready wallet, Sign-In with Ethereum, then the doctor's key (created, unlocked or
 * restored exactly like a patient's, published with DoctorContract.setEncryptionKey); a wallet that is
 * not an active doctor is told why.
 */
export function DoctorPortal() {
  return (
    <SignInGate role="doctor">
      {(wallet) => <KeyGate role="doctor" wallet={wallet}>{({ chain, keyPair, onLock }) => <DoctorHome chain={chain} keyPair={keyPair} onLock={onLock} />}</KeyGate>}
    </SignInGate>
  );
}
