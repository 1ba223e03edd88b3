import { parseKeyBackup, type KeyBackup } from "@/lib/crypto";
import { idbDelete, idbGet, idbPut } from "./idb";

/*
 * A key rotation in progress on this device (lib/rotation/client): the new key, sealed under the same passphrase
 * as the old one, waits here beside the old key (which stays in its usual slot) until the server has swapped the
 * re-wrapped keys in. Only then does the new key replace the old one. A rotation interrupted at any point is
 * found here on the next visit and finished (or, if it never reached the chain, cancelled).
 */
export interface PendingRotation {
  address: string;
  /** The key being replaced (0x hex), as the chain held it when the rotation started. */
  oldPublicKey: string;
  /** The new key, sealed like any stored key; its publicKey is the new public key. */
  newBackup: KeyBackup;
  startedAt: string;
}

const storageKey = (address: string) => `rotation:${address.toLowerCase()}`;

export async function loadPendingRotation(address: string): Promise<PendingRotation | undefined> {
  const stored = (await idbGet(storageKey(address))) as Partial<PendingRotation> | undefined;
  if (!stored || typeof stored.oldPublicKey !== "string" || typeof stored.startedAt !== "string") return undefined;
  try {
    const newBackup = parseKeyBackup(JSON.stringify(stored.newBackup));
    return { address: address.toLowerCase(), oldPublicKey: stored.oldPublicKey.toLowerCase(), newBackup, startedAt: stored.startedAt };
  } catch {
    return undefined;
  }
}

export async function savePendingRotation(rotation: PendingRotation): Promise<void> {
  await idbPut(storageKey(rotation.address), rotation);
}

export async function deletePendingRotation(address: string): Promise<void> {
  await idbDelete(storageKey(address));
}
