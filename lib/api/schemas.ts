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
