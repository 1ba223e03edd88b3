import "server-only";
import { ApiError } from "@/lib/api";
import { deleteKeyRotation, findKeyRotation, swapRotationKeys } from "@/lib/db/repositories/key-rotations";
import { chainHolds, chainKeysOf } from "./chain-keys";

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

/**
 * Swaps the caller's staged keys in, only once the chain shows `newPublicKey` for them and no role still holds
 * the old key: until then readers keep the keys their current key opens (409 chain_pending). A wrapped key of
 * the caller (or their profile) without a staged key also refuses the swap (409 unstaged, with the ids), so a
 * key wrapped while the rotation ran is never left behind for a key that is about to disappear.
 */
export async function completeRotation(caller: `0x${string}`, newPublicKey: string): Promise<{ publicKey: string; swapped: number; profile: boolean }> {
  const rotation = await findKeyRotation(caller);
  if (!rotation || hex(rotation.newPublicKey) !== newPublicKey) throw new ApiError("not_found", "No rotation to this key is staged for you.");
  const onChain = await chainKeysOf(caller);
  if (!chainHolds(onChain, newPublicKey) || chainHolds(onChain, hex(rotation.oldPublicKey))) {
    throw new ApiError("conflict", "The chain does not show your new key yet: wait for the transaction, then try again.", { reason: "chain_pending" });
  }
  const outcome = await swapRotationKeys(caller, Buffer.from(newPublicKey.slice(2), "hex"));
  if (outcome.outcome === "no_rotation") throw new ApiError("not_found", "No rotation to this key is staged for you.");
  if (outcome.outcome === "unstaged") {
    throw new ApiError("conflict", "Some keys wrapped for you are not re-wrapped for your new key yet.", { reason: "unstaged", ids: outcome.ids, profile: outcome.profile, sealed: outcome.sealed });
  }
  return { publicKey: newPublicKey, swapped: outcome.swapped, profile: outcome.profile };
}

/** Drops the caller's unfinished rotation, unless its new key already reached the chain (then it must be finished). */
export async function cancelRotation(caller: `0x${string}`): Promise<{ cancelled: boolean }> {
  const rotation = await findKeyRotation(caller);
  if (!rotation) return { cancelled: false };
  if (chainHolds(await chainKeysOf(caller), hex(rotation.newPublicKey))) {
    throw new ApiError("conflict", "This rotation already reached the chain: finish it instead of cancelling it.");
  }
  return { cancelled: await deleteKeyRotation(caller) };
}
