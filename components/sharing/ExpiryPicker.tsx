"use client";

import { useId } from "react";
import { EXPIRY_PRESET_DAYS, type ExpiryChoice } from "@/lib/sharing/client";

const choiceKey = (choice: ExpiryChoice) => (choice.kind === "days" ? `days-${choice.days}` : choice.kind);

/** No expiry, a preset (1, 7, 30 days from now) or the last day of access. */
export function ExpiryPicker({ value, onChange, error, legend = "Expiry" }: { value: ExpiryChoice; onChange: (next: ExpiryChoice) => void; error?: string; legend?: string }) {
  const id = useId();
  const selected = choiceKey(value);
  const options: { key: string; label: string; choice: ExpiryChoice }[] = [
    { key: "never", label: "No expiry", choice: { kind: "never" } },
    ...EXPIRY_PRESET_DAYS.map((days) => ({ key: `days-${days}`, label: `${days} day${days === 1 ? "" : "s"}`, choice: { kind: "days", days } as ExpiryChoice })),
    { key: "date", label: "Until a date", choice: { kind: "date", date: value.kind === "date" ? value.date : "" } },
  ];
  return (
    <fieldset className="space-y-2" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="flex flex-wrap gap-x-5 gap-y-2">
        {options.map((option) => (
          <label key={option.key} className="flex items-center gap-2 text-sm">
            <input type="radio" name={`${id}-expiry`} value={option.key} checked={selected === option.key} onChange={() => onChange(option.choice)} />
            {option.label}
          </label>
        ))}
      </div>
      {value.kind === "date" && (
        <div className="space-y-1">
          <label htmlFor={`${id}-date`} className="block text-sm font-medium text-slate-800">
            Last day of access
          </label>
          <input
            id={`${id}-date`}
            type="date"
            className={`block rounded-md border px-3 py-2 text-sm ${error ? "border-red-500" : "border-slate-300"}`}
            value={value.date}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-date-hint`}
            onChange={(event) => onChange({ kind: "date", date: event.target.value })}
          />
          <p id={`${id}-date-hint`} className="text-xs text-slate-600">
            Access ends at the end of that day (23:59, your time zone).
          </p>
        </div>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700" data-testid="expiry-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
