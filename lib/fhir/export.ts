import type { AuditEvent, Bundle, BundleEntry, Consent, DocumentReference, Identifier, Patient, Reference, Resource } from "@medplum/fhirtypes";
import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { strToU8, zipSync } from "fflate";
import { bytesToBase64 } from "@/lib/crypto/encoding";
import {
  AUDIT_SUBTYPE_READ,
  AUDIT_TYPE,
  CATEGORY_SYSTEM,
  CHAIN_SYSTEM,
  CID_SYSTEM,
  CONSENT_ACTOR_ROLE,
  CONSENT_CATEGORY,
  CONSENT_SCOPE,
  FILE_NAME_EXTENSION,
  RECORD_ID_SYSTEM,
  TX_SYSTEM,
  WALLET_SYSTEM,
} from "./codes";

// Pure and isomorphic: builds a FHIR R4 Bundle from what the browser already decrypted. Nothing here does IO.

/** The record's decrypted metadata, as far as the export needs it (lib/records/client RecordMetadata fits). */
export interface ExportMetadata {
  title: string;
  hospital: string;
  reason: string;
  admissionDate: string;
  dischargeDate: string;
  category: string;
  categoryLabel?: string;
  fileName: string;
  mimeType: string;
}

export interface ExportRecord {
  recordId: string;
  cid: string;
  metadata: ExportMetadata;
  /** The decrypted PDF. */
  bytes: Uint8Array;
}

export interface ExportPerson {
  /** Wallet address (0x…, lower case). */
  address: string;
  name?: string;
  dateOfBirth?: string;
  sex?: string;
  phone?: string;
}

/** A grant to a doctor: the all-records grant (no recordIds) or a set of records with one expiry. */
export interface ExportGrant {
  doctor: string;
  doctorName?: string;
  /** Unix seconds; 0 = no expiry. */
  expiresAt: number;
  allRecords: boolean;
  recordIds: string[];
  /** Still in force when exported (unexpired, not revoked). */
  active: boolean;
}

/** One opening of a record, logged on chain (RecordAccessed). */
export interface ExportAccess {
  doctor: string;
  doctorName?: string;
  recordId: string;
  /** Unix seconds (block time). */
  time: number;
  txHash: string;
}

export interface ExportInput {
  chainId: number;
  /** PatientContract address. */
  contract: string;
  patient: ExportPerson;
  records: ExportRecord[];
  grants?: ExportGrant[];
  accesses?: ExportAccess[];
  /** "inline": the PDFs as base64 in the Bundle; "zip": bundle.json plus the PDFs as files. */
  attachments: "inline" | "zip";
  /** ISO time stamped on the Bundle (defaults to now). */
  now?: string;
}

export interface ExportResult {
  bundle: Bundle;
  /** Files beside bundle.json (zip mode only), keyed by the path the attachments' `url` names. */
  files: Map<string, Uint8Array>;
}

/** A stable urn:uuid from a name (UUID v5-style layout over SHA-1), so the same export gives the same ids. */
export function uuidFor(name: string): string {
  const hex = bytesToHex(sha1(strToU8(`urn:x-ehr:${name}`))).slice(0, 32).split("");
  hex[12] = "5";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** FHIR Attachment.hash: base64 of the SHA-1 of the data. */
export const attachmentHash = (bytes: Uint8Array) => bytesToBase64(sha1(bytes));

const walletIdentifier = (chainId: number, address: string): Identifier => ({ system: WALLET_SYSTEM, value: `eip155:${chainId}:${address.toLowerCase()}` });

const GENDERS: Record<string, Patient["gender"]> = { male: "male", m: "male", female: "female", f: "female", other: "other", unknown: "unknown" };

/** The file name inside the zip: "files/<n>-<name>.pdf", unique and without path separators. */
export function zipPathFor(index: number, fileName: string): string {
  const safe = fileName.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").slice(0, 200) || "record.pdf";
  return `files/${String(index + 1).padStart(3, "0")}-${safe}`;
}

const isoOfSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();

function patientResource(input: ExportInput): Patient {
  const { patient, chainId } = input;
  const resource: Patient = { resourceType: "Patient", identifier: [walletIdentifier(chainId, patient.address)] };
  if (patient.name?.trim()) resource.name = [{ text: patient.name.trim() }];
  if (patient.dateOfBirth && /^\d{4}-\d{2}-\d{2}$/.test(patient.dateOfBirth)) resource.birthDate = patient.dateOfBirth;
  const gender = patient.sex ? GENDERS[patient.sex.trim().toLowerCase()] : undefined;
  if (gender) resource.gender = gender;
  if (patient.phone?.trim()) resource.telecom = [{ system: "phone", value: patient.phone.trim() }];
  return resource;
}

function documentReference(input: ExportInput, record: ExportRecord, index: number, patientRef: Reference<Patient>, files: Map<string, Uint8Array>): DocumentReference {
  const m = record.metadata;
  const attachment: NonNullable<DocumentReference["content"]>[number]["attachment"] = {
    contentType: m.mimeType,
    size: record.bytes.length,
    hash: attachmentHash(record.bytes),
    title: m.title,
    creation: m.admissionDate,
    extension: [{ url: FILE_NAME_EXTENSION, valueString: m.fileName }],
  };
  if (input.attachments === "inline") attachment.data = bytesToBase64(record.bytes);
  else {
    const path = zipPathFor(index, m.fileName);
    files.set(path, record.bytes);
    attachment.url = path;
  }
  return {
    resourceType: "DocumentReference",
    identifier: [
      { system: RECORD_ID_SYSTEM, value: record.recordId },
      { system: CID_SYSTEM, value: record.cid },
      { system: CHAIN_SYSTEM, value: `eip155:${input.chainId}:${input.contract.toLowerCase()}` },
    ],
    status: "current",
    category: [{ coding: [{ system: CATEGORY_SYSTEM, code: m.category, display: m.categoryLabel ?? m.category }], text: m.categoryLabel ?? m.category }],
    subject: patientRef,
    date: `${m.admissionDate}T00:00:00Z`,
    custodian: { display: m.hospital },
    description: m.reason,
    content: [{ attachment }],
    context: { period: { start: m.admissionDate, end: m.dischargeDate } },
  };
}

function consent(input: ExportInput, grant: ExportGrant, patientRef: Reference<Patient>, docRefs: Map<string, string>, now: string): Consent {
  const provision: NonNullable<Consent["provision"]> = {
    type: "permit",
    actor: [{ role: { coding: [CONSENT_ACTOR_ROLE] }, reference: { identifier: walletIdentifier(input.chainId, grant.doctor), display: grant.doctorName || grant.doctor } }],
  };
  if (grant.expiresAt > 0) provision.period = { end: isoOfSeconds(grant.expiresAt) };
  // A record not in this Bundle (one the exporter could not decrypt) is named by its record id.
  const data = grant.recordIds.map((recordId) => {
    const reference = docRefs.get(recordId);
    return { meaning: "instance" as const, reference: reference ? { reference } : { identifier: { system: RECORD_ID_SYSTEM, value: recordId } } };
  });
  if (data.length > 0) provision.data = data;
  return {
    resourceType: "Consent",
    status: grant.active ? "active" : "inactive",
    scope: { coding: [CONSENT_SCOPE] },
    category: [{ coding: [CONSENT_CATEGORY] }],
    patient: patientRef,
    dateTime: now,
    policyRule: {
      text: grant.allRecords ? "All records, including future ones (PatientContract all-records grant)" : "The records listed in provision.data (PatientContract record grant)",
    },
    provision,
  };
}

function auditEvent(input: ExportInput, access: ExportAccess, patientRef: Reference<Patient>, docRefs: Map<string, string>): AuditEvent {
  const record = docRefs.get(access.recordId);
  return {
    resourceType: "AuditEvent",
    type: AUDIT_TYPE,
    subtype: [AUDIT_SUBTYPE_READ],
    action: "R",
    recorded: isoOfSeconds(access.time),
    outcome: "0",
    agent: [{ who: { identifier: walletIdentifier(input.chainId, access.doctor), display: access.doctorName || access.doctor }, requestor: true }],
    source: { observer: { display: `PatientContract ${input.contract.toLowerCase()} on chain ${input.chainId}` } },
    entity: [
      { what: patientRef, type: { system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "1", display: "Person" } },
      {
        what: record ? { reference: record } : { identifier: { system: RECORD_ID_SYSTEM, value: access.recordId } },
        type: { system: "http://terminology.hl7.org/CodeSystem/audit-entity-type", code: "2", display: "System Object" },
      },
      { what: { identifier: { system: TX_SYSTEM, value: access.txHash } }, description: "Transaction that logged the access (RecordAccessed)" },
    ],
  };
}

/** The Bundle (type "collection") and, in zip mode, the PDFs it points at. */
export function buildExportBundle(input: ExportInput): ExportResult {
  const now = input.now ?? new Date().toISOString();
  const files = new Map<string, Uint8Array>();
  const entries: BundleEntry[] = [];
  const add = (fullUrl: string, resource: Resource) => entries.push({ fullUrl, resource });

  const patientUrl = uuidFor(`patient:${input.chainId}:${input.patient.address.toLowerCase()}`);
  const patientRef: Reference<Patient> = { reference: patientUrl };
  add(patientUrl, patientResource(input));

  const docRefs = new Map<string, string>();
  input.records.forEach((record, index) => {
    const url = uuidFor(`record:${input.chainId}:${record.recordId}`);
    docRefs.set(record.recordId, url);
    add(url, documentReference(input, record, index, patientRef, files));
  });
  (input.grants ?? []).forEach((grant, index) =>
    add(uuidFor(`consent:${input.chainId}:${grant.doctor}:${grant.allRecords ? "all" : "records"}:${grant.expiresAt}:${index}`), consent(input, grant, patientRef, docRefs, now)),
  );
  for (const access of input.accesses ?? []) add(uuidFor(`access:${access.txHash}:${access.recordId}`), auditEvent(input, access, patientRef, docRefs));

  return { bundle: { resourceType: "Bundle", type: "collection", timestamp: now, entry: entries }, files };
}

/** bundle.json plus the PDFs, zipped (PDFs are already compressed: stored, not deflated). */
export function zipExport(result: ExportResult): Uint8Array {
  const tree: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = { "bundle.json": strToU8(JSON.stringify(result.bundle, null, 2)) };
  for (const [path, bytes] of result.files) tree[path] = [bytes, { level: 0 }];
  return zipSync(tree);
}
