import "server-only";
import { dbQuery } from "./query";

/** Stores a fresh nonce valid for `ttlMs`; expired nonces are swept on the way. */
export async function insertNonce(nonce: string, ttlMs: number): Promise<void> {
  await dbQuery("DELETE FROM siwe_nonces WHERE expires_at < now()");
  await dbQuery("INSERT INTO siwe_nonces (nonce, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')", [nonce, ttlMs]);
}

/** Deletes the nonce and tells whether it existed unexpired: one use only, atomic. */
export async function consumeNonce(nonce: string): Promise<boolean> {
  const result = await dbQuery<{ expired: boolean }>("DELETE FROM siwe_nonces WHERE nonce = $1 RETURNING expires_at <= now() AS expired", [nonce]);
  const row = result.rows[0];
  return row !== undefined && !row.expired;
}
