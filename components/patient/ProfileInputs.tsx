"use client";

import type { ProfileFields } from "@/lib/records/client";
import { Field } from "@/components/ui/Field";

const BLOOD_GROUPS = ["", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"];

/** The profile fields (PHI; encrypted before they leave the browser). */
export function ProfileInputs({ idPrefix, value, onChange }: { idPrefix: string; value: ProfileFields; onChange: (next: ProfileFields) => void }) {
  const set = (field: keyof ProfileFields) => (event: { target: { value: string } }) => onChange({ ...value, [field]: event.target.value });
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field id={`${idPrefix}-name`} label="Full name">
        {(control) => <input {...control} maxLength={120} autoComplete="name" value={value.name} onChange={set("name")} />}
      </Field>
      <Field id={`${idPrefix}-dob`} label="Date of birth">
        {(control) => <input {...control} type="date" value={value.dateOfBirth} onChange={set("dateOfBirth")} />}
      </Field>
      <Field id={`${idPrefix}-sex`} label="Sex">
        {(control) => (
          <select {...control} value={value.sex} onChange={set("sex")}>
            <option value="">Prefer not to say</option>
            <option value="female">Female</option>
            <option value="male">Male</option>
            <option value="other">Other</option>
          </select>
        )}
      </Field>
      <Field id={`${idPrefix}-blood`} label="Blood group">
        {(control) => (
          <select {...control} value={value.bloodGroup} onChange={set("bloodGroup")}>
            {BLOOD_GROUPS.map((group) => (
              <option key={group} value={group}>
                {group || "Unknown"}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${idPrefix}-phone`} label="Phone">
        {(control) => <input {...control} type="tel" maxLength={40} autoComplete="tel" value={value.phone} onChange={set("phone")} />}
      </Field>
    </div>
  );
}
