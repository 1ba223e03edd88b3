import { combine, split } from "shamir-secret-sharing";
import { publicKeyFromSecretKey } from "@/lib/crypto";

/** A share of a 32-byte secret: shamir-secret-sharing's 33 bytes, or (threshold 1) the secret itself. */
const SECRET_LENGTH = 32;

/**
 * Splits the emergency secret key into `count` shares, any `threshold` of which rebuild it. The library needs
 * a threshold of at least 2; with threshold 1 (an administrators' choice on chain) every share is the key.
 */
export async function splitSecret(secret: Uint8Array, count: number, threshold: number): Promise<Uint8Array[]> {
  if (secret.length !== SECRET_LENGTH) throw new Error("The emergency key must be 32 bytes.");
  if (threshold < 1 || threshold > count) throw new Error(`A threshold of ${threshold} cannot be met by ${count} administrators.`);
  if (threshold === 1) return Array.from({ length: count }, () => secret.slice());
  if (count < 2 || count > 255) throw new Error("Between 2 and 255 administrators can hold shares.");
  return split(secret, count, threshold);
}

/** Rebuilds the secret from shares; it is checked against the on-chain public key by the caller. */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  const whole = shares.find((share) => share.length === SECRET_LENGTH);
  if (whole) return whole.slice();
  if (shares.length < 2) throw new Error("Not enough shares to rebuild the emergency key.");
  return combine([...shares]);
}

/** True when `secret` is the private half of `publicKeyHex` (0x + 64 hex, as on chain). */
export function matchesPublicKey(secret: Uint8Array, publicKeyHex: string): boolean {
  if (secret.length !== SECRET_LENGTH) return false;
  const derived = publicKeyFromSecretKey(secret);
  return `0x${Array.from(derived, (byte) => byte.toString(16).padStart(2, "0")).join("")}` === publicKeyHex.toLowerCase();
}
