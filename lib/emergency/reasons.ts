/**
 * Why a doctor asks for emergency access: the code goes on chain (DoctorContract.requestEmergencyAccess,
 * 1..4); any free text is sealed for the patient and the administrators, never written in the clear.
 */
export const EMERGENCY_REASONS = [
  { code: 1, label: "The patient is unconscious or unable to consent" },
  { code: 2, label: "Life-threatening emergency" },
  { code: 3, label: "Urgent care and the patient cannot be reached" },
  { code: 4, label: "Other (explain in the note)" },
] as const;

export type EmergencyReasonCode = (typeof EMERGENCY_REASONS)[number]["code"];

/** Code 4 ("other") needs a note in the UI. */
export const NOTE_REQUIRED_REASON: EmergencyReasonCode = 4;

export const MAX_NOTE_LENGTH = 1000;

export const isReasonCode = (value: number): value is EmergencyReasonCode => EMERGENCY_REASONS.some((reason) => reason.code === value);

export const reasonLabel = (code: number): string => EMERGENCY_REASONS.find((reason) => reason.code === code)?.label ?? `Reason ${code}`;
