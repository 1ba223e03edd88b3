"use client";

import { useEffect, useRef, useState } from "react";
import type { BrowserChain, TxStatus } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import type { ProfileFields } from "@/lib/records/client";
import { signUpOnChain, type KeyRole, type SignUpStep } from "@/lib/records/client/sign-up";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { ProgressSteps, type ProgressStep, type StepState } from "@/components/ui/ProgressSteps";

/** A transaction's progress in words, for a step's detail line. */
export function txDetail(tx: TxStatus): string {
  switch (tx.stage) {
    case "checking":
      return "checking the transaction…";
    case "pending":
      return "confirm the transaction in your wallet…";
    case "sent":
      return `sent: ${tx.hash}, waiting for the block…`;
    case "waiting":
      return `sent: ${tx.hash}, still waiting for its receipt (check ${tx.attempt})…`;
    case "confirmed":
      return `confirmed in block ${tx.blockNumber} (${tx.hash})`;
  }
}

const ORDER = ["register", "publish", "profile", "done"] as const;

const REGISTER_LABEL: Record<KeyRole, string> = {
  patient: "Register your public key on chain (registerPatient)",
  doctor: "Publish your public key on chain (setEncryptionKey)",
};

/** Runs the on-chain registration -> publish key -> save profile (patients), showing each step; retry on failure. */
export function RegisterSteps({
  chain,
  keyPair,
  profile,
  onDone,
  role = "patient",
}: {
  chain: BrowserChain;
  keyPair: UnlockedKey;
  profile: ProfileFields | null;
  onDone: () => void;
  role?: KeyRole;
}) {
  const [current, setCurrent] = useState<SignUpStep>({ step: "register", tx: { stage: "checking" } });
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const done = useRef(onDone);

  useEffect(() => {
    done.current = onDone;
  }, [onDone]);

  // One run per attempt, even when React mounts effects twice (development): a second run would send a
  // second transaction.
  const started = useRef(-1);
  useEffect(() => {
    if (started.current === attempt) return;
    started.current = attempt;
    signUpOnChain(chain, keyPair, profile, setCurrent, role)
      .then(() => done.current())
      .catch((cause: unknown) => setError(cause instanceof Error ? cause.message : String(cause)));
  }, [chain, keyPair, profile, attempt, role]);

  const index = ORDER.indexOf(current.step);
  const state = (step: (typeof ORDER)[number]): StepState => {
    const at = ORDER.indexOf(step);
    if (at < index) return "done";
    if (at > index) return "waiting";
    return error ? "failed" : current.step === "done" ? "done" : "active";
  };
  const steps: ProgressStep[] = [
    { id: "register", label: REGISTER_LABEL[role], state: state("register"), detail: current.step === "register" ? txDetail(current.tx) : undefined },
    { id: "publish", label: "Publish your public key to the key store", state: state("publish") },
    ...(profile ? [{ id: "profile", label: "Save your encrypted profile", state: state("profile") }] : []),
  ];
  return (
    <div className="space-y-4">
      <ProgressSteps steps={steps} label="Registration progress" testId="register-progress" />
      {error && (
        <Alert tone="error" title="Registration did not finish">
          <p>{error}</p>
          <Button
            className="mt-2"
            onClick={() => {
              setError(undefined);
              setCurrent({ step: "register", tx: { stage: "checking" } });
              setAttempt((value) => value + 1);
            }}
          >
            Try again
          </Button>
        </Alert>
      )}
    </div>
  );
}
