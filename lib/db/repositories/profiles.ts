import "server-only";
import { dbQuery } from "./query";

export interface ProfileRow {
  encryptedProfile: Uint8Array;
  wrappedKey: Uint8Array;
}

export async function upsertProfile(address: string, profile: ProfileRow): Promise<void> {
  await dbQuery(
    `INSERT INTO profiles (address, encrypted_profile, wrapped_key) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO UPDATE SET encrypted_profile = EXCLUDED.encrypted_profile, wrapped_key = EXCLUDED.wrapped_key, updated_at = now()`,
    [address, Buffer.from(profile.encryptedProfile), Buffer.from(profile.wrappedKey)],
  );
}

export async function findProfile(address: string): Promise<ProfileRow | undefined> {
  const result = await dbQuery<{ encrypted_profile: Buffer; wrapped_key: Buffer }>(
    "SELECT encrypted_profile, wrapped_key FROM profiles WHERE address = $1",
    [address],
  );
  const row = result.rows[0];
  return row && { encryptedProfile: row.encrypted_profile, wrappedKey: row.wrapped_key };
}
