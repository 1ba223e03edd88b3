/**
 * Request and response shapes of the key rotation routes (app/api/keys/rotation/**) and the re-encryption
 * routes (app/api/records/reencrypt/**): validated by the routes, parsed by the browser clients.
 */
import { z } from "zod";
import { addressSchema, publicKeyHexSchema, recordIdSchema, wrappedKeySchema } from "@/lib/api/schemas";

/** A wrapped_keys row id (bigserial) as a decimal string. */
export const wrappedKeyIdSchema = z.string().regex(/^[1-9][0-9]{0,18}$/, "must be a wrapped key id");
const countSchema = z.number().int().nonnegative();
const lowerHex = publicKeyHexSchema.transform((value) => value.toLowerCase() as `0x${string}`);

/** A key wrapped for the caller in front of other sealed material (emergency scope and notes, access request reasons). */
export const sealedKindSchema = z.enum(["emergency_scope", "emergency_note", "request_reason_patient", "request_reason_doctor"]);
const sealedRefSchema = z.string().regex(/^[0-9a-f-]{1,80}$/, "must be a row reference");
export const sealedRefItemSchema = z.strictObject({ kind: sealedKindSchema, ref: sealedRefSchema });
const sealedItemSchema = z.strictObject({ kind: sealedKindSchema, ref: sealedRefSchema, wrappedKey: wrappedKeySchema });

export const rotationStateSchema = z.strictObject({
  oldPublicKey: publicKeyHexSchema,
  newPublicKey: publicKeyHexSchema,
  staged: countSchema,
  createdAt: z.string(),
});

// GET /api/keys/rotation
export const rotationKeysResponseSchema = z.strictObject({
  /** The key the key store holds for the caller now (null: none). */
  publicKey: publicKeyHexSchema.nullable(),
  keys: z.array(
    z.strictObject({ id: wrappedKeyIdSchema, recordId: recordIdSchema.nullable(), uploadId: z.string().nullable(), wrappedKey: wrappedKeySchema }),
  ),
  profileWrappedKey: wrappedKeySchema.nullable(),
  sealed: z.array(sealedItemSchema),
  rotation: rotationStateSchema.nullable(),
});
export type RotationKeysResponse = z.infer<typeof rotationKeysResponseSchema>;

// PUT /api/keys/rotation
export const MAX_STAGED_KEYS_PER_REQUEST = 200;
export const stageRotationRequestSchema = z.strictObject({
  oldPublicKey: lowerHex,
  newPublicKey: lowerHex,
  keys: z
    .array(z.strictObject({ id: wrappedKeyIdSchema, wrappedKey: wrappedKeySchema }))
    .max(MAX_STAGED_KEYS_PER_REQUEST, `at most ${MAX_STAGED_KEYS_PER_REQUEST} keys per request`),
  profileWrappedKey: wrappedKeySchema.optional(),
  sealed: z.array(sealedItemSchema).max(MAX_STAGED_KEYS_PER_REQUEST, `at most ${MAX_STAGED_KEYS_PER_REQUEST} sealed keys per request`).optional(),
});
export type StageRotationRequest = z.infer<typeof stageRotationRequestSchema>;
export const stageRotationResponseSchema = z.strictObject({ newPublicKey: publicKeyHexSchema, staged: countSchema });

// POST /api/keys/rotation/complete
export const completeRotationRequestSchema = z.strictObject({ newPublicKey: lowerHex });
export const completeRotationResponseSchema = z.strictObject({ publicKey: publicKeyHexSchema, swapped: countSchema, profile: z.boolean() });

/** The details of a 409 from complete: the chain does not show the new key yet, or keys are not staged yet. */
export const rotationConflictSchema = z.union([
  z.strictObject({ reason: z.literal("chain_pending") }),
  z.strictObject({ reason: z.literal("unstaged"), ids: z.array(wrappedKeyIdSchema), profile: z.boolean(), sealed: z.array(sealedRefItemSchema) }),
]);

// DELETE /api/keys/rotation
export const cancelRotationResponseSchema = z.strictObject({ cancelled: z.boolean() });

// GET /api/records/reencrypt/:recordId
export const reencryptRecordResponseSchema = z.strictObject({
  recordId: recordIdSchema,
  cid: z.string(),
  /** The record that amends this one on chain ("0": none yet). */
  supersededBy: recordIdSchema,
  /** Everyone holding a wrapped key on this record (the patient included). */
  readers: z.array(addressSchema),
});
export type ReencryptRecordResponse = z.infer<typeof reencryptRecordResponseSchema>;

// POST /api/records/reencrypt/:recordId/retire
export const retireRecordResponseSchema = z.strictObject({
  recordId: recordIdSchema,
  newRecordId: recordIdSchema,
  deletedKeys: countSchema,
  cid: z.string(),
  unpinned: z.boolean(),
});
export type RetireRecordResponse = z.infer<typeof retireRecordResponseSchema>;
