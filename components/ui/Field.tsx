import type { ReactNode } from "react";

/**
 * A labelled form control with its hint and error tied to it (aria-describedby, aria-invalid).
 * `children` receives the props to spread on the control.
 */
export function Field({
  id,
  label,
  hint,
  error,
  required,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  children: (control: { id: string; name: string; "aria-describedby"?: string; "aria-invalid"?: boolean; required?: boolean; className: string }) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
        {required && <span className="text-red-700" aria-hidden="true"> *</span>}
      </label>
      {children({
        id,
        name: id,
        "aria-describedby": describedBy,
        "aria-invalid": error ? true : undefined,
        required,
        className: `block w-full rounded-md border px-3 py-2 text-sm ${error ? "border-red-500" : "border-slate-300"} bg-white`,
      })}
      {hint && (
        <p id={hintId} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-sm text-red-700" data-testid={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
