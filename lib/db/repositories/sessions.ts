import "server-only";
import { dbQuery } from "./query";

export interface SessionRow {
  address: `0x${string}`;
  chainId: number;
  expiresAt: Date;
}

export async function insertSession(tokenHash: Uint8Array, session: SessionRow): Promise<void> {
  await dbQuery("DELETE FROM sessions WHERE expires_at < now()");
  await dbQuery("INSERT INTO sessions (token_hash, address, chain_id, expires_at) VALUES ($1, $2, $3, $4)", [
    Buffer.from(tokenHash),
    session.address,
    session.chainId,
    session.expiresAt,
  ]);
}

/** The unexpired session with this token hash, if any. */
export async function findSession(tokenHash: Uint8Array): Promise<SessionRow | undefined> {
  const result = await dbQuery<{ address: `0x${string}`; chain_id: number; expires_at: Date }>(
    "SELECT address, chain_id, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > now()",
    [Buffer.from(tokenHash)],
  );
  const row = result.rows[0];
  return row && { address: row.address, chainId: row.chain_id, expiresAt: row.expires_at };
}

export async function deleteSession(tokenHash: Uint8Array): Promise<void> {
  await dbQuery("DELETE FROM sessions WHERE token_hash = $1", [Buffer.from(tokenHash)]);
}
