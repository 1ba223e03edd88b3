import "server-only";
import { ApiError } from "@/lib/api";
import type { StageRotationRequest } from "@/lib/rotation/schemas";
import { findKeyRotation, stageRotationKeys } from "@/lib/db/repositories/key-rotations";
import { findUserKey } from "@/lib/db/repositories/users";
import { fromBase64 } from "@/lib/records/server/encoding";
import { chainHolds, chainKeysOf } from "./chain-keys";

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;
const keyBytes = (key: string) => Buffer.from(key.slice(2), "hex");

/** The one answer for ids that are someone else's and ids that do not exist. */
export const FOREIGN_KEYS_MESSAGE = "Some of these keys are not wrapped for you (or do not exist); nothing was staged.";

/**
 * Stages data keys the caller's browser re-wrapped for their new key, before the chain transaction that
 * publishes it. Nothing changes for readers yet: wrapped_keys keeps the old keys until the chain shows the new
 * one (completeRotation). Requirements:
 * - the caller holds an encryption key on chain (403), and the key store's key for them is `oldPublicKey` (409);
 * - the chain shows `oldPublicKey` (the rotation has not reached the chain) or `newPublicKey` (it has, and the
 *   browser is finishing it) (409 otherwise); a rotation to another new key is replaced only in the first case;
 * - every id is a wrapped key of the caller, every sealed (kind, ref) a row sealed for them (403, the same answer
 *   for an unknown one).
 */
export async function stageRotation(caller: `0x${string}`, input: StageRotationRequest): Promise<{ newPublicKey: string; staged: number }> {
  if (input.oldPublicKey === input.newPublicKey) {
    throw new ApiError("invalid_input", "The new key must differ from the old one.", [{ path: "newPublicKey", message: "equals oldPublicKey" }]);
  }
  const onChain = await chainKeysOf(caller);
  if (!onChain.patient && !onChain.doctor) throw new ApiError("forbidden", "Your account has no encryption key on chain, so there is nothing to rotate.");
  const stored = await findUserKey(caller);
  if (!stored || hex(stored) !== input.oldPublicKey) {
    throw new ApiError("conflict", "The key store does not hold this old key for you: reload the page and start again.", [{ path: "oldPublicKey", message: "not the key store's key" }]);
  }
  const reachedChain = chainHolds(onChain, input.newPublicKey);
  if (!reachedChain && !chainHolds(onChain, input.oldPublicKey)) {
    throw new ApiError("conflict", "The chain holds neither the old nor the new key for your account.", [{ path: "newPublicKey", message: "not on chain" }]);
  }
  if (!reachedChain) {
    // Replacing an unfinished rotation is fine only while its new key is not on chain.
    const open = await findKeyRotation(caller);
    if (open && hex(open.newPublicKey) !== input.newPublicKey && chainHolds(onChain, hex(open.newPublicKey))) {
      throw new ApiError("conflict", "Another rotation of your key already reached the chain: finish that one first.");
    }
  }
  const outcome = await stageRotationKeys({
    address: caller,
    oldPublicKey: keyBytes(input.oldPublicKey),
    newPublicKey: keyBytes(input.newPublicKey),
    profileWrappedKey: input.profileWrappedKey ? fromBase64(input.profileWrappedKey) : undefined,
    keys: input.keys.map((key) => ({ id: key.id, wrappedKey: fromBase64(key.wrappedKey) })),
    sealed: (input.sealed ?? []).map((item) => ({ kind: item.kind, ref: item.ref, wrappedKey: fromBase64(item.wrappedKey) })),
  });
  if (outcome.outcome === "foreign_keys") throw new ApiError("forbidden", FOREIGN_KEYS_MESSAGE);
  return { newPublicKey: input.newPublicKey, staged: outcome.staged };
}
