import "server-only";
import { dbQuery } from "./query";

/** Stores (or replaces) a user's X25519 public key; the caller has checked it against the chain. */
export async function upsertUserKey(address: string, publicKey: Uint8Array): Promise<void> {
  await dbQuery(
    `INSERT INTO users (address, encryption_public_key) VALUES ($1, $2)
     ON CONFLICT (address) DO UPDATE SET encryption_public_key = EXCLUDED.encryption_public_key, updated_at = now()`,
    [address, Buffer.from(publicKey)],
  );
}

export async function findUserKey(address: string): Promise<Uint8Array | undefined> {
  const result = await dbQuery<{ encryption_public_key: Buffer }>("SELECT encryption_public_key FROM users WHERE address = $1", [address]);
  return result.rows[0]?.encryption_public_key;
}
