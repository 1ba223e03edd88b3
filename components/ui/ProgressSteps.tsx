export type StepState = "waiting" | "active" | "done" | "failed";

export interface ProgressStep {
  id: string;
  label: string;
  state: StepState;
  /** e.g. "1.2 MB of 3.4 MB" or a transaction hash. */
  detail?: string;
  /** 0..1 for a bar. */
  fraction?: number;
}

/** Where an ordered flow stands: the step it is running (or failed at), with that step's progress. */
export interface FlowPosition<Id extends string> {
  step: Id;
  failed: boolean;
  detail?: string;
  fraction?: number;
}

/** The steps of an ordered flow at `position`: done before it, waiting after it, active or failed at it. */
export function flowSteps<Id extends string>(steps: readonly { id: Id; label: string }[], position: FlowPosition<Id> | undefined): ProgressStep[] {
  const at = position ? steps.findIndex((step) => step.id === position.step) : -1;
  return steps.map((step, index) => {
    if (!position || at < 0 || index > at) return { ...step, state: "waiting" };
    if (index < at) return { ...step, state: "done" };
    return position.failed ? { ...step, state: "failed" } : { ...step, state: "active", detail: position.detail, fraction: position.fraction };
  });
}

const marks: Record<StepState, string> = { waiting: "○", active: "◌", done: "✓", failed: "✗" };
const words: Record<StepState, string> = { waiting: "waiting", active: "in progress", done: "done", failed: "failed" };

/** A named list of steps with their state, announced politely as they change. */
export function ProgressSteps({ steps, label, testId }: { steps: ProgressStep[]; label: string; testId?: string }) {
  return (
    <div aria-live="polite" data-testid={testId}>
      <p className="sr-only">{label}</p>
      <ol className="space-y-2 text-sm" aria-label={label}>
        {steps.map((step) => (
          <li key={step.id} data-step={step.id} data-state={step.state} className="flex flex-col gap-1">
            <span className={step.state === "failed" ? "text-red-700" : step.state === "done" ? "text-emerald-700" : step.state === "active" ? "font-medium text-slate-900" : "text-slate-500"}>
              <span aria-hidden="true" className="mr-2 inline-block w-4">
                {marks[step.state]}
              </span>
              {step.label}
              <span className="sr-only"> ({words[step.state]})</span>
              {step.detail && <span className="ml-2 break-all text-xs text-slate-600">{step.detail}</span>}
            </span>
            {step.fraction !== undefined && step.state === "active" && (
              <progress className="ml-6 h-2 w-64" max={1} value={step.fraction} aria-label={`${step.label} progress`} />
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
