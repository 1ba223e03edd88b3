import type { KeyRole } from "@/lib/records/client/sign-up";
import type { RotationProgress, RotationStep } from "@/lib/rotation/client/rotate";
import { flowSteps, ProgressSteps } from "@/components/ui/ProgressSteps";
import { txDetail } from "@/components/keys/RegisterSteps";

const STEPS = (role: KeyRole): { id: RotationStep; label: string }[] => [
  { id: "check", label: "Check your passphrase" },
  { id: "newkey", label: "Make a new key pair and seal it with your passphrase" },
  { id: "rewrap", label: role === "patient" ? "Re-wrap your records' keys for the new key" : "Re-wrap the keys of records shared with you for the new key" },
  { id: "stage", label: "Stage them with the key store (your current key keeps working)" },
  { id: "chain", label: "Publish the new key on chain (setEncryptionKey)" },
  { id: "swap", label: "Switch the key store to the new key" },
];

function detail(progress: RotationProgress): { detail?: string; fraction?: number } {
  switch (progress.step) {
    case "newkey":
      return { fraction: progress.fraction };
    case "rewrap":
      return { detail: `${progress.done} of ${progress.total}`, fraction: progress.total ? progress.done / progress.total : undefined };
    case "stage":
      return { detail: `${progress.staged} of ${progress.total}` };
    case "chain":
      return { detail: `${progress.role === "patient" ? "PatientContract" : "DoctorContract"}: ${txDetail(progress.tx)}` };
    case "swap":
      return { detail: progress.attempt > 1 ? `waiting for the chain (check ${progress.attempt})…` : undefined };
    default:
      return {};
  }
}

/** The rotation's steps, done / active / failed. */
export function RotationProgressList({ role, progress, failed }: { role: KeyRole; progress: RotationProgress | undefined; failed: boolean }) {
  const steps = STEPS(role);
  const position = progress && (progress.step === "done" ? { step: "swap" as const, failed: false } : { step: progress.step, failed, ...detail(progress) });
  const list = flowSteps(steps, position).map((step) => (progress?.step === "done" ? { ...step, state: "done" as const, detail: undefined } : step));
  return <ProgressSteps steps={list} label="Key rotation progress" testId="rotation-progress" />;
}
