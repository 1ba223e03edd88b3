/**
 * Request and response shapes of the emergency-access routes (app/api/emergency), shared by the routes and
 * the browser code. Strict objects: an unknown field is a 422.
 */
import { z } from "zod";
import { addressSchema, bytes32HexSchema, encryptedBlobSchema, recordIdSchema, txHashSchema, wrappedKeySchema } from "@/lib/api/schemas";

const base64 = (maxBytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .refine((value) => value.length > 0 && value.length % 4 === 0, "must be base64")
    .refine((value) => Math.floor((value.length * 3) / 4) <= maxBytes, `must be at most ${maxBytes} bytes`);

/** A Shamir share (33 bytes; never the whole key) sealed for one reader: 49 bytes of overhead. */
export const sealedShareSchema = base64(512);
/** The scope sealed for the patient (sealJson: ciphertext and the wrapped key, as one JSON string). */
export const sealedScopeSchema = base64(4096);
export const sealedNoteSchema = base64(8192);
/** A request id on chain (uint256, ids start at 1) as a decimal string. */
export const requestIdSchema = z.string().regex(/^[1-9][0-9]{0,30}$/, "must be a request id");
const keyVersionSchema = z.number().int().min(1).max(2 ** 31 - 1);
const unixSeconds = z.number().int().nonnegative();

export const MAX_EMERGENCY_KEYS = 100;
export const emergencyKeysSchema = z
  .array(z.strictObject({ recordId: recordIdSchema, wrappedKey: wrappedKeySchema }))
  .max(MAX_EMERGENCY_KEYS, `must hold at most ${MAX_EMERGENCY_KEYS} keys`);

// --- patient ---------------------------------------------------------------------------------------------
/** PUT /api/emergency/enrolment: written before setEmergencyKey (keyVersion = the chain's next version). */
export const putEnrolmentRequestSchema = z.strictObject({
  keyVersion: keyVersionSchema,
  publicKey: bytes32HexSchema,
  sealedScope: sealedScopeSchema,
  shares: z.array(z.strictObject({ admin: addressSchema, sealedShare: sealedShareSchema })).min(1).max(255),
});
/** At most this many records added by others are listed per visit (the rest on the next one). */
export const MAX_ADDED_BY_OTHERS = 100;
export const enrolmentResponseSchema = z.strictObject({
  /** The stored opt-in for the chain's live key version; null when the chain has none or the server has no row. */
  enrolment: z
    .strictObject({
      keyVersion: keyVersionSchema,
      publicKey: bytes32HexSchema,
      sealedScope: sealedScopeSchema,
      records: z.number().int().nonnegative(),
      /** Share holders whose key on chain is not the one their share was sealed for, or who are no longer administrators with a key. */
      orphanedShares: z.array(addressSchema),
      /** Records a doctor added for the patient with no key for this version yet, newest first: the patient's browser wraps those in scope. */
      addedByOthers: z.array(recordIdSchema).max(MAX_ADDED_BY_OTHERS),
    })
    .nullable(),
});
/** PUT /api/emergency/keys: data keys wrapped for the emergency key of one version (in batches). */
export const putEmergencyKeysRequestSchema = z.strictObject({ keyVersion: keyVersionSchema, keys: emergencyKeysSchema.min(1, "must hold at least one key") });
export const storedCountSchema = z.strictObject({ stored: z.number().int().nonnegative() });

export const emergencyStateSchema = z.enum(["pending", "approved", "refused", "expired"]);
export const emergencyOpeningSchema = z.strictObject({ recordId: recordIdSchema, time: unixSeconds, txHash: txHashSchema });
/** One emergency request on a patient's records, as the patient's access log shows it. */
export const emergencyLogEntrySchema = z.strictObject({
  requestId: requestIdSchema,
  doctor: addressSchema,
  doctorName: z.string(),
  doctorSpecialty: z.string(),
  reasonCode: z.number().int(),
  state: emergencyStateSchema,
  requestedAt: unixSeconds,
  grantedUntil: unixSeconds,
  keyVersion: z.number().int().nonnegative(),
  approvers: z.array(addressSchema),
  refusedBy: addressSchema.nullable(),
  openings: z.array(emergencyOpeningSchema),
  /** The doctor's note sealed for the patient, if any. */
  sealedNote: sealedNoteSchema.nullable(),
});
export const emergencyLogResponseSchema = z.strictObject({ entries: z.array(emergencyLogEntrySchema) });

// --- administrators ----------------------------------------------------------------------------------------
export const pendingRequestSchema = z.strictObject({
  requestId: requestIdSchema,
  doctor: addressSchema,
  doctorName: z.string(),
  doctorSpecialty: z.string(),
  doctorKey: bytes32HexSchema,
  patient: addressSchema,
  reasonCode: z.number().int(),
  requestedAt: unixSeconds,
  approvals: z.number().int().nonnegative(),
  threshold: z.number().int().nonnegative(),
  keyVersion: z.number().int().nonnegative(),
  approvedByMe: z.boolean(),
  ownRequest: z.boolean(),
  /** This administrator's share of the patient's key (null: none stored for them). */
  sealedShare: sealedShareSchema.nullable(),
  /** The doctor's note sealed for this administrator, if any. */
  sealedNote: sealedNoteSchema.nullable(),
});
export const pendingRequestsResponseSchema = z.strictObject({ requests: z.array(pendingRequestSchema) });
export const putReleaseRequestSchema = z.strictObject({ sealedShare: sealedShareSchema });

// --- doctors ------------------------------------------------------------------------------------------------
export const putNotesRequestSchema = z.strictObject({
  notes: z.array(z.strictObject({ recipient: addressSchema, sealedNote: sealedNoteSchema })).min(1).max(256),
});
export const emergencyAccessResponseSchema = z.strictObject({
  requestId: requestIdSchema,
  patient: addressSchema,
  grantedUntil: unixSeconds,
  keyVersion: z.number().int().positive(),
  /** The patient's emergency public key on chain. */
  publicKey: bytes32HexSchema,
  threshold: z.number().int().positive(),
  /** Shares re-sealed for the caller by administrators whose approval is on chain. */
  shares: z.array(z.strictObject({ admin: addressSchema, sealedShare: sealedShareSchema })),
  /** Records whose data key is wrapped for this emergency key (open each: logAccess first). */
  recordIds: z.array(recordIdSchema),
});
export const emergencyRecordKeySchema = z.strictObject({
  recordId: recordIdSchema,
  cid: z.string(),
  encryptedMetadata: encryptedBlobSchema,
  /** The data key wrapped for the emergency public key. */
  wrappedKey: wrappedKeySchema,
});

export type PutEnrolmentRequest = z.infer<typeof putEnrolmentRequestSchema>;
export type EnrolmentResponse = z.infer<typeof enrolmentResponseSchema>;
export type PutEmergencyKeysRequest = z.infer<typeof putEmergencyKeysRequestSchema>;
export type EmergencyState = z.infer<typeof emergencyStateSchema>;
export type EmergencyLogEntry = z.infer<typeof emergencyLogEntrySchema>;
export type EmergencyLogResponse = z.infer<typeof emergencyLogResponseSchema>;
export type PendingRequest = z.infer<typeof pendingRequestSchema>;
export type PendingRequestsResponse = z.infer<typeof pendingRequestsResponseSchema>;
export type PutNotesRequest = z.infer<typeof putNotesRequestSchema>;
export type EmergencyAccessResponse = z.infer<typeof emergencyAccessResponseSchema>;
export type EmergencyRecordKey = z.infer<typeof emergencyRecordKeySchema>;
