import { combine, split } from "shamir-secret-sharing";
import { publicKeyFromSecretKey } from "@/lib/crypto";

/** A share of a 32-byte secret: shamir-secret-sharing's 33 bytes (the secret's 32 and the share's x coordinate). */
const SECRET_LENGTH = 32;
const SHARE_LENGTH = SECRET_LENGTH + 1;
/** Never fewer than two administrators: one alone must never be able to open a patient's emergency records. */
export const MIN_SHARE_THRESHOLD = 2;

/**
 * Splits the emergency secret key into `count` shares, any `threshold` of which rebuild it. A threshold below 2
 * is refused: it would hand every administrator the whole key (the contract refuses it too).
 */
export async function splitSecret(secret: Uint8Array, count: number, threshold: number): Promise<Uint8Array[]> {
  if (secret.length !== SECRET_LENGTH) throw new Error("The emergency key must be 32 bytes.");
  if (!Number.isInteger(threshold) || threshold < MIN_SHARE_THRESHOLD) throw new Error(`A threshold of ${threshold} is refused: at least ${MIN_SHARE_THRESHOLD} administrators must approve.`);
  if (threshold > count) throw new Error(`A threshold of ${threshold} cannot be met by ${count} administrators.`);
  if (count > 255) throw new Error("At most 255 administrators can hold shares.");
  return split(secret, count, threshold);
}

/**
 * Rebuilds the secret from at least two Shamir shares (33 bytes each); it is checked against the on-chain
 * public key by the caller. A 32-byte "share" (the whole key) is refused, never taken as the key.
 */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  if (shares.some((share) => share.length !== SHARE_LENGTH)) throw new Error("A share of the emergency key is malformed.");
  if (shares.length < MIN_SHARE_THRESHOLD) throw new Error("Not enough shares to rebuild the emergency key.");
  return combine([...shares]);
}

/** True when `secret` is the private half of `publicKeyHex` (0x + 64 hex, as on chain). */
export function matchesPublicKey(secret: Uint8Array, publicKeyHex: string): boolean {
  if (secret.length !== SECRET_LENGTH) return false;
  const derived = publicKeyFromSecretKey(secret);
  return `0x${Array.from(derived, (byte) => byte.toString(16).padStart(2, "0")).join("")}` === publicKeyHex.toLowerCase();
}
