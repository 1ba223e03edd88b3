import { sha256HexOfFile } from "@/lib/crypto";
import { FIELD_LIMITS, RECORD_CATEGORIES, type RecordCategory } from "./metadata";

export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

export interface UploadFormInput {
  file: File | null;
  title: string;
  hospital: string;
  reason: string;
  admissionDate: string;
  dischargeDate: string;
  category: string;
}

export type UploadField = keyof UploadFormInput;
export type FieldErrors = Partial<Record<UploadField, string>>;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

/** True when the file starts with "%PDF-", whatever its name or type says. */
export async function looksLikePdf(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, PDF_MAGIC.length).arrayBuffer());
  return head.length === PDF_MAGIC.length && PDF_MAGIC.every((byte, index) => head[index] === byte);
}

export const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${bytes} bytes`;

/** Every browser-side check of the upload form; an empty object means valid. */
export async function validateUploadForm(input: UploadFormInput, maxBytes = DEFAULT_MAX_UPLOAD_BYTES): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const text = (field: "title" | "hospital" | "reason", label: string) => {
    const value = input[field].trim();
    if (!value) errors[field] = `Enter the ${label}.`;
    else if (value.length > FIELD_LIMITS[field]) errors[field] = `The ${label} must be at most ${FIELD_LIMITS[field]} characters.`;
  };
  if (!input.file) errors.file = "Choose a PDF file.";
  else if (input.file.size === 0) errors.file = "This file is empty.";
  else if (input.file.size > maxBytes) errors.file = `This file is ${formatBytes(input.file.size)}; the limit is ${formatBytes(maxBytes)}.`;
  else if (input.file.name.length > FIELD_LIMITS.fileName) errors.file = `The file name must be at most ${FIELD_LIMITS.fileName} characters.`;
  else if (!(await looksLikePdf(input.file))) errors.file = "This file is not a PDF (its content does not start with %PDF-), whatever its name says. Choose a PDF document.";
  text("title", "title");
  text("hospital", "hospital name");
  text("reason", "reason for the visit");
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(input.admissionDate)) errors.admissionDate = "Enter the admission date.";
  if (!date.test(input.dischargeDate)) errors.dischargeDate = "Enter the discharge date.";
  else if (date.test(input.admissionDate) && input.dischargeDate < input.admissionDate) {
    errors.dischargeDate = "The discharge date cannot be before the admission date.";
  }
  if (!RECORD_CATEGORIES.some((category) => category.value === input.category)) errors.category = "Choose a category.";
  return errors;
}

export const asCategory = (value: string) => value as RecordCategory;

/** Plaintext SHA-256 of a file (read whole: the platform's digest is several times faster than a streamed one in JavaScript). */
export async function hashFile(file: Blob): Promise<string> {
  return sha256HexOfFile(new Uint8Array(await file.arrayBuffer()));
}
