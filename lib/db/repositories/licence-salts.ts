import "server-only";
import { dbQuery } from "./query";

/** Stores (or replaces) the salt of a doctor's licence hash; `setBy` is the administrator. */
export async function upsertLicenceSalt(address: string, salt: Uint8Array, setBy: string): Promise<void> {
  await dbQuery(
    `INSERT INTO doctor_licence_salts (address, salt, set_by) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO UPDATE SET salt = EXCLUDED.salt, set_by = EXCLUDED.set_by, updated_at = now()`,
    [address, Buffer.from(salt), setBy],
  );
}

export async function findLicenceSalt(address: string): Promise<Uint8Array | undefined> {
  const result = await dbQuery<{ salt: Buffer }>("SELECT salt FROM doctor_licence_salts WHERE address = $1", [address]);
  return result.rows[0]?.salt;
}
