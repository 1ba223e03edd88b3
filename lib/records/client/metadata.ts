import { z } from "zod";

export const RECORD_CATEGORIES = [
  { value: "lab-result", label: "Lab result" },
  { value: "prescription", label: "Prescription" },
  { value: "imaging", label: "Imaging" },
  { value: "discharge-summary", label: "Discharge summary" },
  { value: "other", label: "Other" },
] as const;
export type RecordCategory = (typeof RECORD_CATEGORIES)[number]["value"];
const categoryValues = RECORD_CATEGORIES.map((category) => category.value) as [RecordCategory, ...RecordCategory[]];

export const categoryLabel = (value: string) => RECORD_CATEGORIES.find((category) => category.value === value)?.label ?? value;

export const FIELD_LIMITS = { title: 120, hospital: 120, reason: 500, fileName: 255 } as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)");

/** What is encrypted with the record's data key next to the file (lib/crypto encryptJson). */
export const recordMetadataSchema = z.object({
  version: z.literal(1),
  title: z.string().min(1).max(FIELD_LIMITS.title),
  hospital: z.string().min(1).max(FIELD_LIMITS.hospital),
  reason: z.string().min(1).max(FIELD_LIMITS.reason),
  admissionDate: isoDate,
  dischargeDate: isoDate,
  category: z.enum(categoryValues),
  fileName: z.string().min(1).max(FIELD_LIMITS.fileName),
  size: z.number().int().nonnegative(),
  /** Plaintext SHA-256, lower-case hex (lib/crypto sha256Hex). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mimeType: z.literal("application/pdf"),
});
export type RecordMetadata = z.infer<typeof recordMetadataSchema>;

/** The patient's profile (PHI), encrypted the same way as record metadata. */
export const profileFieldsSchema = z.object({
  name: z.string().max(120),
  dateOfBirth: z.union([isoDate, z.literal("")]),
  sex: z.string().max(40),
  bloodGroup: z.string().max(8),
  phone: z.string().max(40),
});
export type ProfileFields = z.infer<typeof profileFieldsSchema>;
export const EMPTY_PROFILE: ProfileFields = { name: "", dateOfBirth: "", sex: "", bloodGroup: "", phone: "" };
