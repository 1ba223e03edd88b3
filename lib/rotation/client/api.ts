// Typed calls of the key rotation and re-encryption routes, through the one browser API client.
import { requestJson as json, sendJson } from "@/lib/api/client/http";
import {
  cancelRotationResponseSchema,
  completeRotationResponseSchema,
  MAX_STAGED_KEYS_PER_REQUEST,
  reencryptRecordResponseSchema,
  retireRecordResponseSchema,
  rotationKeysResponseSchema,
  stageRotationResponseSchema,
  type StageRotationRequest,
} from "@/lib/rotation/schemas";

/** Every data key wrapped for the caller, their profile's, the key store's key for them and any open rotation. */
export const getRotationKeys = () => json(rotationKeysResponseSchema, "/api/keys/rotation", { cache: "no-store" });

/**
 * Stages re-wrapped keys, MAX_STAGED_KEYS_PER_REQUEST per request (at least one request, which opens the rotation
 * and carries the profile's key); calls `onStaged` after each batch.
 */
export async function stageRotation(request: StageRotationRequest, onStaged?: (staged: number) => void): Promise<void> {
  let staged = 0;
  for (let start = 0; start === 0 || start < request.keys.length; start += MAX_STAGED_KEYS_PER_REQUEST) {
    const keys = request.keys.slice(start, start + MAX_STAGED_KEYS_PER_REQUEST);
    await json(stageRotationResponseSchema, "/api/keys/rotation", sendJson("PUT", { ...request, keys, profileWrappedKey: start === 0 ? request.profileWrappedKey : undefined, sealed: start === 0 ? request.sealed : undefined }));
    staged += keys.length;
    onStaged?.(staged);
  }
}

export const completeRotation = (newPublicKey: string) => json(completeRotationResponseSchema, "/api/keys/rotation/complete", sendJson("POST", { newPublicKey }));

export const cancelRotation = () => json(cancelRotationResponseSchema, "/api/keys/rotation", { method: "DELETE" });

export const getReencryptRecord = (recordId: string) => json(reencryptRecordResponseSchema, `/api/records/reencrypt/${recordId}`, { cache: "no-store" });

export const retireRecord = (recordId: string) => json(retireRecordResponseSchema, `/api/records/reencrypt/${recordId}/retire`, { method: "POST" });
