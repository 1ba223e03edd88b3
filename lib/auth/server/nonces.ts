import "server-only";
import { randomBytes } from "node:crypto";
import { consumeNonce, insertNonce } from "@/lib/db/repositories/siwe-nonces";

export const NONCE_TTL_MS = 5 * 60 * 1000;

/** A fresh single-use nonce (32 hex chars: EIP-4361 wants at least 8 alphanumerics). */
export async function issueNonce(): Promise<string> {
  const nonce = randomBytes(16).toString("hex");
  await insertNonce(nonce, NONCE_TTL_MS);
  return nonce;
}

/** True exactly once per issued, unexpired nonce. */
export const consumeSignInNonce = consumeNonce;
