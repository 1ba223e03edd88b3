/**
 * Request and response shapes of every key-store route: the one contract between app/api (which
 * validates requests with these) and the browser code in lib/ (which parses responses with them).
 * Strict objects: an unknown field is a 422, not silently dropped.
 */
import { z } from "zod";

export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
  .transform((value) => value.toLowerCase() as `0x${string}`);

const UINT256_LIMIT = 2n ** 256n;

/** uint256 record id as a decimal string (JSON has no bigint); 78 digits can exceed 2^256 - 1, hence the refine. */
export const recordIdSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, "must be a decimal uint256")
  .refine((value) => !/^[0-9]+$/.test(value) || BigInt(value) < UINT256_LIMIT, "must be a decimal uint256");

export const publicKeyHexSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex key");

const base64 = (maxBytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .refine((value) => value.length % 4 === 0, "must be base64")
    .refine((value) => Math.floor((value.length * 3) / 4) <= maxBytes, `must be at most ${maxBytes} bytes`);

/** A data key sealed for one recipient (lib/crypto: 81 bytes). */
export const wrappedKeySchema = base64(81).refine((value) => value.length === 108, "must be an 81-byte wrapped key");
/** Encrypted metadata or profile (lib/crypto encryptJson). */
export const MAX_ENCRYPTED_METADATA_BYTES = 16 * 1024;
export const encryptedBlobSchema = base64(MAX_ENCRYPTED_METADATA_BYTES).refine((value) => value.length > 0, "must not be empty");

// --- auth ------------------------------------------------------------------------------------------
export const nonceResponseSchema = z.strictObject({ nonce: z.string() });
export const verifyRequestSchema = z.strictObject({
  message: z.string().min(1).max(4096),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte hex signature"),
});
export const sessionResponseSchema = z.strictObject({
  address: addressSchema,
  chainId: z.number().int(),
  expiresAt: z.string(),
});

// --- keys ------------------------------------------------------------------------------------------
export const putKeyRequestSchema = z.strictObject({ publicKey: publicKeyHexSchema });
export const keyResponseSchema = z.strictObject({ address: addressSchema, publicKey: publicKeyHexSchema });

// --- profile (PHI: only ever encrypted) -------------------------------------------------------------
export const profileSchema = z.strictObject({ encryptedProfile: encryptedBlobSchema, wrappedKey: wrappedKeySchema });

// --- uploads ---------------------------------------------------------------------------------------
export const createUploadRequestSchema = z.strictObject({
  patient: addressSchema,
  /** Ciphertext bytes the content PUT will carry (lib/crypto encryptedSize). */
  size: z.number().int().positive(),
  encryptedMetadata: encryptedBlobSchema,
  /** The data key wrapped for each reader; the uploader's own entry first. */
  wrappedKeys: z
    .array(z.strictObject({ recipient: addressSchema, wrappedKey: wrappedKeySchema }))
    .min(1)
    .max(16),
});
export const createUploadResponseSchema = z.strictObject({
  uploadId: z.uuid(),
  expiresAt: z.string(),
  maxBytes: z.number().int(),
});
export const uploadContentResponseSchema = z.strictObject({
  cid: z.string(),
  size: z.number().int(),
  /** What addRecord takes: the CID's sha2-256 digest and its codec (0x55 raw, 0x70 dag-pb). */
  cidDigest: z.string().regex(/^0x[0-9a-f]{64}$/),
  codec: z.union([z.literal(0x55), z.literal(0x70)]),
});
export const confirmUploadRequestSchema = z.strictObject({ recordId: recordIdSchema });
export const confirmUploadResponseSchema = z.strictObject({ recordId: recordIdSchema, cid: z.string() });

// --- records ---------------------------------------------------------------------------------------
export const MAX_RECORDS_PER_QUERY = 100;
export const recordsQueryRequestSchema = z.strictObject({
  recordIds: z.array(recordIdSchema).min(1).max(MAX_RECORDS_PER_QUERY),
});
/** One record as the key store knows it, with the data key wrapped for the caller. */
export const storedRecordSchema = z.strictObject({
  recordId: recordIdSchema,
  cid: z.string(),
  encryptedMetadata: encryptedBlobSchema,
  wrappedKey: wrappedKeySchema,
});
export const recordsQueryResponseSchema = z.strictObject({
  records: z.array(storedRecordSchema),
  /** Ids the caller may not read, or the key store does not know. */
  unavailable: z.array(z.strictObject({ recordId: recordIdSchema, reason: z.enum(["forbidden", "not_found"]) })),
});
export const recordKeyResponseSchema = storedRecordSchema;

// --- sharing: doctors registry ---------------------------------------------------------------------
/** 32 bytes as 0x + 64 hex (salts, hashes); lowercased. */
export const bytes32HexSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
  .transform((value) => value.toLowerCase() as `0x${string}`);
/** Unix seconds (chain times and expiries); 0 = never for an expiry. */
const unixSecondsSchema = z.number().int().nonnegative();
const countSchema = z.number().int().nonnegative();

export const MAX_DOCTORS_PAGE = 100;
export const DEFAULT_DOCTORS_PAGE = 20;
/** Decimal digits in a query string, as a number within [min, max]. */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,9}$/, "must be a whole number")
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be between ${min} and ${max}`);
/** GET /api/doctors query string (as an object of its parameters). */
export const doctorsQuerySchema = z.strictObject({
  q: z.string().max(200, "must be at most 200 characters").optional(),
  offset: queryInt(0, 1_000_000_000).optional(),
  limit: queryInt(1, MAX_DOCTORS_PAGE).optional(),
});
export const doctorEntrySchema = z.strictObject({
  address: addressSchema,
  name: z.string(),
  specialty: z.string(),
  active: z.boolean(),
  /** A non-zero encryption key is published on chain. */
  hasKey: z.boolean(),
  /** The on-chain key, 0x + 64 zeros when none. */
  encryptionKey: publicKeyHexSchema,
  registeredAt: unixSecondsSchema,
});
export const doctorsResponseSchema = z.strictObject({
  /** Doctors matching `q` in all (for paging). */
  total: countSchema,
  offset: countSchema,
  doctors: z.array(doctorEntrySchema),
});

// --- sharing: wrapped keys for a doctor, prune ------------------------------------------------------
export const MAX_SHARE_KEYS = 100;
export const putShareKeysRequestSchema = z.strictObject({
  doctor: addressSchema,
  keys: z
    .array(z.strictObject({ recordId: recordIdSchema, wrappedKey: wrappedKeySchema }))
    .min(1, `must hold 1 to ${MAX_SHARE_KEYS} keys`)
    .max(MAX_SHARE_KEYS, `must hold 1 to ${MAX_SHARE_KEYS} keys`),
});
export const putShareKeysResponseSchema = z.strictObject({ stored: countSchema });

export const MAX_PRUNE_RECORDS = 1000;
export const pruneSharesRequestSchema = z.strictObject({
  doctor: addressSchema,
  /** Omitted = every record of the caller. */
  recordIds: z
    .array(recordIdSchema)
    .min(1, `must hold 1 to ${MAX_PRUNE_RECORDS} record ids`)
    .max(MAX_PRUNE_RECORDS, `must hold 1 to ${MAX_PRUNE_RECORDS} record ids`)
    .optional(),
});
export const pruneSharesResponseSchema = z.strictObject({ deleted: countSchema });

// --- sharing: current state of grants ---------------------------------------------------------------
/** The all-records grant the doctor holds now (granted true; it may have expired: compare expiresAt); null when none (never granted, or revoked). */
export const allRecordsGrantSchema = z.strictObject({ granted: z.boolean(), expiresAt: unixSecondsSchema }).nullable();
/** A record currently covered by a grant. `readable` = chain canRead AND expiry after the server's clock. */
export const sharedRecordSchema = z.strictObject({
  recordId: recordIdSchema,
  expiresAt: unixSecondsSchema,
  readable: z.boolean(),
  allRecords: z.boolean(),
});
export const shareSummarySchema = z.strictObject({
  doctor: addressSchema,
  name: z.string(),
  specialty: z.string(),
  active: z.boolean(),
  allRecords: allRecordsGrantSchema,
  records: z.array(sharedRecordSchema),
});
export const sharesResponseSchema = z.strictObject({ doctors: z.array(shareSummarySchema) });
export const patientSharesSchema = z.strictObject({
  patient: addressSchema,
  allRecords: allRecordsGrantSchema,
  records: z.array(sharedRecordSchema),
});
/** Where a page of "My patients" ends: block-logIndex of its last patient's newest grant. */
const patientsCursorSchema = z.string().regex(/^[0-9]{1,15}-[0-9]{1,9}$/, "must be the next value of the previous page");
export const MAX_PATIENTS_PAGE = 100;
/** GET /api/doctor/patients query string: `limit` patients (default 20) after `cursor` (the previous page's `next`). */
export const doctorPatientsQuerySchema = z.strictObject({ limit: queryInt(1, MAX_PATIENTS_PAGE).optional(), cursor: patientsCursorSchema.optional() });
/** Newest grant first; `next` is the cursor of the following page, null on the last one. */
export const doctorPatientsResponseSchema = z.strictObject({ patients: z.array(patientSharesSchema), next: patientsCursorSchema.nullable() });

// --- sharing: access log ----------------------------------------------------------------------------
export const txHashSchema = z.string().regex(/^0x[0-9a-f]{64}$/, "must be a transaction hash");
export const accessEntrySchema = z.strictObject({
  doctor: addressSchema,
  recordId: recordIdSchema,
  /** Block time, unix seconds. */
  time: unixSecondsSchema,
  txHash: txHashSchema,
});
export const grantHistoryKindSchema = z.enum(["granted", "all_granted", "all_expiry_updated", "revoked", "all_revoked"]);
export const grantHistoryEntrySchema = z.strictObject({
  kind: grantHistoryKindSchema,
  doctor: addressSchema,
  /** granted, revoked only. */
  recordId: recordIdSchema.optional(),
  /** granted, all_granted, all_expiry_updated only (0 = never). */
  expiresAt: unixSecondsSchema.optional(),
  time: unixSecondsSchema,
  txHash: txHashSchema,
});
export const auditActionSchema = z.enum(["query", "key", "content"]);
export const auditReasonSchema = z.enum(["patient", "grant", "forbidden", "not_found", "inactive", "no_grant", "expired", "no_access_log", "emergency"]);
export const auditEntrySchema = z.strictObject({
  /** ISO time of the key-store decision. */
  at: z.string(),
  actor: addressSchema,
  recordId: recordIdSchema,
  action: auditActionSchema,
  allowed: z.boolean(),
  reason: auditReasonSchema,
});
export const accessLogResponseSchema = z.strictObject({
  accesses: z.array(accessEntrySchema),
  history: z.array(grantHistoryEntrySchema),
  audit: z.array(auditEntrySchema),
});

// --- doctor key release refusals (403 details) -------------------------------------------------------
export const keyRefusalReasonSchema = z.enum(["inactive", "no_grant", "expired", "no_access_log"]);
export const keyRefusalDetailsSchema = z.strictObject({ reason: keyRefusalReasonSchema });

// --- admin --------------------------------------------------------------------------------------------
export const licenceSaltRequestSchema = z.strictObject({ salt: bytes32HexSchema });
export const licenceSaltResponseSchema = z.strictObject({ address: addressSchema, salt: bytes32HexSchema });
export const adminOverviewResponseSchema = z.strictObject({
  doctors: countSchema,
  activeDoctors: countSchema,
  patients: countSchema,
  records: countSchema,
  activeGrants: countSchema,
  accesses: countSchema,
});

// --- errors ----------------------------------------------------------------------------------------
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export type CreateUploadRequest = z.infer<typeof createUploadRequestSchema>;
export type CreateUploadResponse = z.infer<typeof createUploadResponseSchema>;
export type UploadContentResponse = z.infer<typeof uploadContentResponseSchema>;
export type StoredRecord = z.infer<typeof storedRecordSchema>;
export type RecordsQueryResponse = z.infer<typeof recordsQueryResponseSchema>;
export type SessionResponse = z.infer<typeof sessionResponseSchema>;
export type DoctorsQuery = z.infer<typeof doctorsQuerySchema>;
export type DoctorEntry = z.infer<typeof doctorEntrySchema>;
export type DoctorsResponse = z.infer<typeof doctorsResponseSchema>;
export type PutShareKeysRequest = z.infer<typeof putShareKeysRequestSchema>;
export type PutShareKeysResponse = z.infer<typeof putShareKeysResponseSchema>;
export type PruneSharesRequest = z.infer<typeof pruneSharesRequestSchema>;
export type PruneSharesResponse = z.infer<typeof pruneSharesResponseSchema>;
export type AllRecordsGrant = z.infer<typeof allRecordsGrantSchema>;
export type SharedRecord = z.infer<typeof sharedRecordSchema>;
export type ShareSummary = z.infer<typeof shareSummarySchema>;
export type SharesResponse = z.infer<typeof sharesResponseSchema>;
export type PatientShares = z.infer<typeof patientSharesSchema>;
export type DoctorPatientsResponse = z.infer<typeof doctorPatientsResponseSchema>;
export type AccessEntry = z.infer<typeof accessEntrySchema>;
export type GrantHistoryKind = z.infer<typeof grantHistoryKindSchema>;
export type GrantHistoryEntry = z.infer<typeof grantHistoryEntrySchema>;
export type AuditEntryResponse = z.infer<typeof auditEntrySchema>;
export type AccessLogResponse = z.infer<typeof accessLogResponseSchema>;
export type KeyRefusalReason = z.infer<typeof keyRefusalReasonSchema>;
export type LicenceSaltResponse = z.infer<typeof licenceSaltResponseSchema>;
export type AdminOverviewResponse = z.infer<typeof adminOverviewResponseSchema>;
