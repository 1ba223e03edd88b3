import type { Attachment, DocumentReference } from "@medplum/fhirtypes";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { strFromU8, unzipSync } from "fflate";
import { base64ToBytes, bytesToBase64 } from "@/lib/crypto/encoding";
import { RECORD_CATEGORIES, type RecordCategory } from "@/lib/records/client/metadata";
import { CATEGORY_SYSTEM, FILE_NAME_EXTENSION } from "./codes";

// Pure and isomorphic: reads a FHIR Bundle, a zip (bundle.json + PDFs) or single DocumentReferences into
// import items the record form can show and the upload pipeline can take. Nothing here does IO.

/** The record form's fields, filled from the DocumentReference (the user may correct them). */
export interface ImportDraft {
  title: string;
  hospital: string;
  reason: string;
  admissionDate: string;
  dischargeDate: string;
  category: RecordCategory;
  fileName: string;
}

export type SkipReason = "not-pdf" | "too-large" | "duplicate" | "missing-file" | "damaged";

export interface ImportItem {
  /** Stable within one import ("<file>#<n>"). */
  key: string;
  /** Where it came from, for people: "bundle.json, entry 3". */
  source: string;
  draft: ImportDraft;
  /** The PDF, when it could be read. */
  bytes?: Uint8Array;
  /** Lower-case hex SHA-256 of `bytes`. */
  sha256?: string;
  /** Why it will not be imported (the summary lists these). */
  skip?: { reason: SkipReason; message: string };
}

export interface ImportReading {
  items: ImportItem[];
  /** Resources that are not DocumentReferences, by type (Patient, Consent, AuditEvent…): read, not imported. */
  ignored: Record<string, number>;
}

/** A file that is not a readable Bundle / DocumentReference; `message` names the first problem. */
export class FhirImportError extends Error {
  override name = "FhirImportError";
}

export interface ImportOptions {
  maxBytes: number;
  /** SHA-256 (hex) of the records the patient already has. */
  existingSha256: ReadonlySet<string>;
}

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d];
export const isPdfBytes = (bytes: Uint8Array) => PDF_MAGIC.every((byte, index) => bytes[index] === byte);
const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
export const sha256Hex = (bytes: Uint8Array) => bytesToHex(sha256(bytes));
const formatMb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

function categoryOf(doc: DocumentReference): RecordCategory {
  for (const concept of doc.category ?? []) {
    for (const coding of concept.coding ?? []) {
      const known = RECORD_CATEGORIES.find((category) => category.value === coding.code && (!coding.system || coding.system === CATEGORY_SYSTEM));
      if (known) return known.value;
    }
    const text = (concept.text ?? concept.coding?.[0]?.display ?? "").toLowerCase();
    const byLabel = RECORD_CATEGORIES.find((category) => category.label.toLowerCase() === text);
    if (byLabel) return byLabel.value;
  }
  return "other";
}

const dateOf = (value: string | undefined) => (value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : "");
const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;

function fileNameOf(attachment: Attachment, title: string): string {
  const fromExtension = attachment.extension?.find((extension) => extension.url === FILE_NAME_EXTENSION)?.valueString;
  if (fromExtension) return fromExtension;
  if (attachment.url && !attachment.url.startsWith("data:")) {
    const name = baseName(attachment.url).replace(/^\d{3}-/, "");
    if (name) return name;
  }
  return `${(title || "record").replace(/[\\/:*?"<>|]/g, "_").slice(0, 120)}.pdf`;
}

/** Structural checks of one DocumentReference (throws naming the first problem at `where`). */
function checkDocumentReference(value: Record<string, unknown>, where: string): DocumentReference {
  if (!Array.isArray(value.content) || value.content.length === 0) throw new FhirImportError(`${where}.content must hold at least one attachment.`);
  value.content.forEach((content, index) => {
    if (!isObject(content) || !isObject(content.attachment)) throw new FhirImportError(`${where}.content[${index}].attachment is missing.`);
    const attachment = content.attachment;
    for (const field of ["contentType", "data", "url", "hash", "title"] as const) {
      if (attachment[field] !== undefined && typeof attachment[field] !== "string") throw new FhirImportError(`${where}.content[${index}].attachment.${field} must be a string.`);
    }
    if (attachment.size !== undefined && (typeof attachment.size !== "number" || !Number.isInteger(attachment.size) || attachment.size < 0)) {
      throw new FhirImportError(`${where}.content[${index}].attachment.size must be a non-negative integer.`);
    }
    if (attachment.data === undefined && attachment.url === undefined) throw new FhirImportError(`${where}.content[${index}].attachment has neither data nor url.`);
  });
  if (value.description !== undefined && typeof value.description !== "string") throw new FhirImportError(`${where}.description must be a string.`);
  if (value.category !== undefined && !Array.isArray(value.category)) throw new FhirImportError(`${where}.category must be an array.`);
  if (value.context !== undefined && !isObject(value.context)) throw new FhirImportError(`${where}.context must be an object.`);
  if (value.custodian !== undefined && !isObject(value.custodian)) throw new FhirImportError(`${where}.custodian must be an object.`);
  return value as unknown as DocumentReference;
}

function attachmentBytes(attachment: Attachment, where: string, zipFiles: ReadonlyMap<string, Uint8Array>): Uint8Array | undefined {
  if (attachment.data !== undefined) {
    try {
      return base64ToBytes(attachment.data);
    } catch {
      throw new FhirImportError(`${where}.attachment.data is not base64.`);
    }
  }
  const url = attachment.url ?? "";
  return zipFiles.get(url) ?? zipFiles.get(url.replace(/^\.\//, "")) ?? zipFiles.get(baseName(url));
}

function itemOf(doc: DocumentReference, key: string, source: string, where: string, zipFiles: ReadonlyMap<string, Uint8Array>): ImportItem {
  const content = doc.content[0]!;
  const attachment = content.attachment;
  const title = attachment.title?.trim() || doc.description?.trim() || "";
  const period = doc.context?.period;
  const admission = dateOf(period?.start) || dateOf(period?.end) || dateOf(doc.date);
  const draft: ImportDraft = {
    title: title.slice(0, 120),
    hospital: (doc.custodian?.display ?? "").trim().slice(0, 120),
    reason: (doc.description ?? "").trim().slice(0, 500),
    admissionDate: admission,
    dischargeDate: dateOf(period?.end) || admission,
    category: categoryOf(doc),
    fileName: fileNameOf(attachment, title).slice(0, 255),
  };
  const item: ImportItem = { key, source, draft };
  const bytes = attachmentBytes(attachment, `${where}.content[0]`, zipFiles);
  if (!bytes) {
    item.skip = { reason: "missing-file", message: `The file ${attachment.url ?? ""} is not in the zip.` };
    return item;
  }
  item.bytes = bytes;
  item.sha256 = sha256Hex(bytes);
  if ((attachment.size !== undefined && attachment.size !== bytes.length) || (attachment.hash !== undefined && attachment.hash !== bytesToBase64(sha1(bytes)))) {
    item.skip = { reason: "damaged", message: "The file does not match the size or SHA-1 hash its DocumentReference gives." };
  }
  return item;
}

/** The resources in one JSON document (a Bundle's entries, or the resource itself), checked. */
function resourcesOf(json: unknown, file: string): { where: string; source: string; resource: Record<string, unknown> }[] {
  if (!isObject(json)) throw new FhirImportError(`${file}: expected a FHIR resource (a JSON object).`);
  if (typeof json.resourceType !== "string") throw new FhirImportError(`${file}: resourceType is missing.`);
  if (json.resourceType === "DocumentReference") return [{ where: "DocumentReference", source: file, resource: json }];
  if (json.resourceType !== "Bundle") throw new FhirImportError(`${file}: resourceType is ${json.resourceType}; expected Bundle or DocumentReference.`);
  if (typeof json.type !== "string") throw new FhirImportError(`${file}: Bundle.type is missing.`);
  if (json.entry === undefined) return [];
  if (!Array.isArray(json.entry)) throw new FhirImportError(`${file}: Bundle.entry must be an array.`);
  return json.entry.map((entry, index) => {
    const where = `Bundle.entry[${index}]`;
    if (!isObject(entry)) throw new FhirImportError(`${file}: ${where} must be an object.`);
    if (!isObject(entry.resource)) throw new FhirImportError(`${file}: ${where}.resource is missing.`);
    if (typeof entry.resource.resourceType !== "string") throw new FhirImportError(`${file}: ${where}.resource.resourceType is missing.`);
    return { where: `${where}.resource`, source: `${file}, entry ${index + 1}`, resource: entry.resource };
  });
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (error) {
    throw new FhirImportError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Reads the chosen files (Bundles, DocumentReferences, zips of bundle.json + PDFs) into import items, with
 * each skip decided: missing file, damaged, not a PDF, too large, duplicate (by SHA-256 of the plaintext,
 * against the patient's records and the earlier items). Throws FhirImportError naming the first problem.
 */
export function readImport(files: readonly ImportFile[], options: ImportOptions): ImportReading {
  const items: ImportItem[] = [];
  const ignored: Record<string, number> = {};
  for (const file of files) {
    let documents: { name: string; bytes: Uint8Array }[];
    let zipFiles = new Map<string, Uint8Array>();
    if (isZip(file.bytes)) {
      let tree: Record<string, Uint8Array>;
      try {
        tree = unzipSync(file.bytes);
      } catch (error) {
        throw new FhirImportError(`${file.name} is not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
      }
      zipFiles = new Map(Object.entries(tree));
      documents = Object.entries(tree)
        .filter(([path]) => path.toLowerCase().endsWith(".json"))
        .map(([path, bytes]) => ({ name: `${file.name}/${path}`, bytes }));
      if (documents.length === 0) throw new FhirImportError(`${file.name} holds no bundle.json (nor any .json file).`);
    } else documents = [{ name: file.name, bytes: file.bytes }];

    for (const document of documents) {
      const resources = resourcesOf(parseJson(document.bytes, document.name), document.name);
      resources.forEach(({ where, source, resource }, index) => {
        const type = String(resource.resourceType);
        if (type !== "DocumentReference") {
          ignored[type] = (ignored[type] ?? 0) + 1;
          return;
        }
        const doc = checkDocumentReference(resource, `${document.name}: ${where}`);
        items.push(itemOf(doc, `${document.name}#${index}`, source, `${document.name}: ${where}`, zipFiles));
      });
    }
  }

  const seen = new Map<string, ImportItem>();
  for (const item of items) {
    if (item.skip || !item.bytes || !item.sha256) continue;
    if (!isPdfBytes(item.bytes)) item.skip = { reason: "not-pdf", message: "The attachment is not a PDF (its content does not start with %PDF-)." };
    else if (item.bytes.length > options.maxBytes) item.skip = { reason: "too-large", message: `The PDF is ${formatMb(item.bytes.length)}; the limit is ${formatMb(options.maxBytes)}.` };
    else if (options.existingSha256.has(item.sha256)) item.skip = { reason: "duplicate", message: "You already have this exact file (same SHA-256)." };
    else if (seen.has(item.sha256)) item.skip = { reason: "duplicate", message: `Same file (SHA-256) as ${seen.get(item.sha256)!.source}.` };
    else seen.set(item.sha256, item);
  }
  return { items, ignored };
}

export const SKIP_LABELS: Record<SkipReason, string> = {
  "not-pdf": "Not a PDF",
  "too-large": "Too large",
  duplicate: "Duplicate",
  "missing-file": "File missing",
  damaged: "Damaged",
};
