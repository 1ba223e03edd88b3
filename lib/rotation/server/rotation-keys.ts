import "server-only";
import type { RotationKeysResponse } from "@/lib/rotation/schemas";
import { findKeyRotation, findOwnSealedKeys, findOwnWrappedKeys } from "@/lib/db/repositories/key-rotations";
import { findProfile } from "@/lib/db/repositories/profiles";
import { findUserKey } from "@/lib/db/repositories/users";
import { toBase64 } from "@/lib/records/server/encoding";

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

/**
 * Everything wrapped for the caller, for their browser to re-wrap for a new key: every data key (confirmed on a
 * record or pending on an upload), the profile's, and the keys in front of their emergency scope, emergency notes
 * and access request reasons, with the key store's current key and any open rotation.
 * Only the caller's own rows: wrapped keys are useless to anyone else, but they are still nobody else's business.
 */
export async function rotationKeys(caller: `0x${string}`): Promise<RotationKeysResponse> {
  const [publicKey, keys, profile, sealed, rotation] = await Promise.all([
    findUserKey(caller),
    findOwnWrappedKeys(caller),
    findProfile(caller),
    findOwnSealedKeys(caller),
    findKeyRotation(caller),
  ]);
  return {
    publicKey: publicKey ? hex(publicKey) : null,
    keys: keys.map((key) => ({ id: key.id, recordId: key.recordId, uploadId: key.uploadId, wrappedKey: toBase64(key.wrappedKey) })),
    profileWrappedKey: profile ? toBase64(profile.wrappedKey) : null,
    sealed: sealed.map((item) => ({ kind: item.kind, ref: item.ref, wrappedKey: toBase64(item.wrappedKey) })),
    rotation: rotation
      ? { oldPublicKey: hex(rotation.oldPublicKey), newPublicKey: hex(rotation.newPublicKey), staged: rotation.staged, createdAt: rotation.createdAt.toISOString() }
      : null,
  };
}
