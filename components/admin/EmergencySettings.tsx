"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import {
  ChainError,
  EMERGENCY_CONTRACT_ERRORS,
  EMERGENCY_WINDOW_MAX_SECONDS,
  EMERGENCY_WINDOW_MIN_SECONDS,
  emergencySettings,
  setEmergencyThreshold,
  setEmergencyWindow,
  type BrowserChain,
  type TxStatus,
} from "@/lib/chain/client";
import { explainAdminError } from "@/lib/admin/client";
import { Alert } from "@/components/ui/Alert";
import { Button } from "@/components/ui/Button";
import { Field } from "@/components/ui/Field";
import { useLoaded } from "@/components/ui/useLoaded";
import { TxProgress } from "./TxProgress";

const HOUR = 3600;
const MIN_HOURS = EMERGENCY_WINDOW_MIN_SECONDS / HOUR;
const MAX_HOURS = EMERGENCY_WINDOW_MAX_SECONDS / HOUR;

type Busy = { kind: "threshold" | "window"; tx: TxStatus };
type Outcome = { tone: "success" | "error"; text: string };

/** An emergency refusal in words (DoctorContract's custom error), else the admin portal's usual explanation. */
function explain(error: unknown): string {
  if (error instanceof ChainError && error.kind === "reverted" && error.errorName && EMERGENCY_CONTRACT_ERRORS[error.errorName]) {
    return `${EMERGENCY_CONTRACT_ERRORS[error.errorName]} (${error.message.replace(/^The contract refused: /, "")})`;
  }
  return explainAdminError(error);
}

/** "24 hours", "1 hour", "1.5 hours". */
const hoursText = (seconds: number) => {
  const hours = Math.round((seconds / HOUR) * 100) / 100;
  return `${hours} hour${hours === 1 ? "" : "s"}`;
};

/** A whole number typed in a field, or undefined when the text is not one. */
const wholeNumber = (text: string): number | undefined => (/^\s*\d+\s*$/.test(text) ? Number(text) : undefined);

/**
 * Emergency access settings (DoctorContract): how many administrators must approve an emergency request, and how
 * long a request may wait and an approved doctor may read. Each is checked here against the contract's bounds
 * before the wallet is asked, then set on chain with its progress shown.
 */
export function EmergencySettings({ chain }: { chain: BrowserChain }) {
  const id = useId();
  const { loaded, refresh } = useLoaded(() => emergencySettings(chain), "Could not read the emergency settings.", [chain]);
  const [threshold, setThreshold] = useState("");
  const [hours, setHours] = useState("");
  const [thresholdError, setThresholdError] = useState<string>();
  const [windowError, setWindowError] = useState<string>();
  const [busy, setBusy] = useState<Busy>();
  const [outcome, setOutcome] = useState<Outcome>();
  const outcomeRef = useRef<HTMLDivElement>(null);
  const thresholdRef = useRef<HTMLInputElement>(null);
  const hoursRef = useRef<HTMLInputElement>(null);

  const settings = loaded.status === "ready" ? loaded.value : undefined;

  const finish = (next: Outcome) => {
    setBusy(undefined);
    setOutcome(next);
    refresh();
    requestAnimationFrame(() => outcomeRef.current?.focus());
  };

  const saveThreshold = async (event: FormEvent) => {
    event.preventDefault();
    if (!settings) return;
    setOutcome(undefined);
    const value = wholeNumber(threshold);
    let problem: string | undefined;
    if (settings.adminsWithKey === 0) problem = "No administrator has published an encryption key yet: publish keys first, then set the threshold.";
    else if (value === undefined) problem = "Enter a whole number of approvals.";
    else if (value < 2) problem = "At least 2 approvals: with one, a single administrator could open a patient's emergency key alone.";
    else if (value > settings.adminsWithKey) {
      problem = `At most ${settings.adminsWithKey}: only ${settings.adminsWithKey} administrator${settings.adminsWithKey === 1 ? " has" : "s have"} published an encryption key.`;
    } else if (value === settings.threshold) problem = `The threshold is already ${value}.`;
    setThresholdError(problem);
    if (problem || value === undefined) {
      thresholdRef.current?.focus();
      return;
    }
    setBusy({ kind: "threshold", tx: { stage: "checking" } });
    try {
      await setEmergencyThreshold(chain, value, (tx) => setBusy({ kind: "threshold", tx }));
      setThreshold("");
      finish({ tone: "success", text: `Emergency requests now need ${value} approval${value === 1 ? "" : "s"} (requests already made keep theirs).` });
    } catch (error) {
      finish({ tone: "error", text: `The threshold was not changed: ${explain(error)}` });
    }
  };

  const saveWindow = async (event: FormEvent) => {
    event.preventDefault();
    if (!settings) return;
    setOutcome(undefined);
    const value = wholeNumber(hours);
    let problem: string | undefined;
    if (value === undefined) problem = "Enter a whole number of hours.";
    else if (value < MIN_HOURS || value > MAX_HOURS) problem = `The window must be between ${MIN_HOURS} and ${MAX_HOURS} hours.`;
    else if (value * HOUR === settings.windowSeconds) problem = `The window is already ${hoursText(settings.windowSeconds)}.`;
    setWindowError(problem);
    if (problem || value === undefined) {
      hoursRef.current?.focus();
      return;
    }
    setBusy({ kind: "window", tx: { stage: "checking" } });
    try {
      await setEmergencyWindow(chain, value * HOUR, (tx) => setBusy({ kind: "window", tx }));
      setHours("");
      finish({ tone: "success", text: `The emergency window is now ${hoursText(value * HOUR)} (windows already open keep their end).` });
    } catch (error) {
      finish({ tone: "error", text: `The window was not changed: ${explain(error)}` });
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="emergency-settings">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        Emergency access settings
      </h2>
      <p className="text-sm text-slate-600">
        A doctor&apos;s emergency request opens a patient&apos;s emergency records only when enough administrators other than the doctor approve it.
        A patient may ask for more approvals than this threshold, never fewer.
      </p>
      <div ref={outcomeRef} tabIndex={-1} className="outline-none">
        {outcome && (
          <Alert tone={outcome.tone} testId="emergency-settings-result">
            {outcome.text}
          </Alert>
        )}
      </div>
      {loaded.status === "loading" && <p className="text-slate-600">Loading the emergency settings…</p>}
      {loaded.status === "error" && <Alert tone="error">Could not read the emergency settings: {loaded.message}</Alert>}
      {settings && (
        <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-slate-600">Approvals needed</dt>
            <dd className="font-medium" data-testid="emergency-threshold-current" data-value={settings.threshold}>
              {settings.threshold} of {settings.adminsWithKey} administrator{settings.adminsWithKey === 1 ? "" : "s"} with a published key
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Emergency window</dt>
            <dd className="font-medium" data-testid="emergency-window-current" data-value={settings.windowSeconds}>
              {hoursText(settings.windowSeconds)}
            </dd>
          </div>
        </dl>
      )}
      {settings && settings.adminsWithKey < settings.threshold && (
        <Alert tone="warning" testId="emergency-threshold-unreachable">
          Only {settings.adminsWithKey} administrator{settings.adminsWithKey === 1 ? " has" : "s have"} published an encryption key, fewer than the
          threshold: patients cannot opt in and no request can be approved until more administrators publish a key or the threshold is lowered.
        </Alert>
      )}
      {settings && (
        <div className="grid gap-6 md:grid-cols-2">
          <form noValidate onSubmit={(event) => void saveThreshold(event)} className="space-y-3" aria-label="Emergency threshold">
            <Field
              id={`${id}-threshold`}
              label="Approvals needed"
              required
              error={thresholdError}
              hint={`From 1 to ${Math.max(settings.adminsWithKey, 1)}: never more than the administrators who published an encryption key (each holds one share of a patient's emergency key).`}
            >
              {(control) => (
                <input
                  {...control}
                  ref={thresholdRef}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={Math.max(settings.adminsWithKey, 1)}
                  step={1}
                  placeholder={String(settings.threshold)}
                  value={threshold}
                  onChange={(event) => setThreshold(event.target.value)}
                />
              )}
            </Field>
            {busy?.kind === "threshold" && <TxProgress label="Setting the threshold" tx={busy.tx} />}
            <Button type="submit" disabled={busy !== undefined}>
              Set threshold
            </Button>
          </form>
          <form noValidate onSubmit={(event) => void saveWindow(event)} className="space-y-3" aria-label="Emergency window">
            <Field
              id={`${id}-window`}
              label="Emergency window (hours)"
              required
              error={windowError}
              hint={`From ${MIN_HOURS} to ${MAX_HOURS} hours: how long a request may wait for approvals, and how long an approved doctor may open the records.`}
            >
              {(control) => (
                <input
                  {...control}
                  ref={hoursRef}
                  type="number"
                  inputMode="numeric"
                  min={MIN_HOURS}
                  max={MAX_HOURS}
                  step={1}
                  placeholder={String(Math.round(settings.windowSeconds / HOUR))}
                  value={hours}
                  onChange={(event) => setHours(event.target.value)}
                />
              )}
            </Field>
            {busy?.kind === "window" && <TxProgress label="Setting the window" tx={busy.tx} />}
            <Button type="submit" disabled={busy !== undefined}>
              Set window
            </Button>
          </form>
        </div>
      )}
    </section>
  );
}
