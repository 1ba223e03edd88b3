import "server-only";
import { dbQuery, type PreparedStatement } from "@/lib/db/repositories/query";

/** Last-seen times move forward at most this often, so a burst of requests is not a burst of writes. */
const TOUCH_GRANULARITY_SECONDS = 10;

export interface LiveSession {
  address: `0x${string}`;
  chainId: number;
  expiresAt: Date;
}

/** Prepared once per connection: every signed-in request runs it (query.ts PreparedStatement). */
const TOUCH_LIVE_SESSION: PreparedStatement = {
  name: "touch-live-session",
  text: `WITH found AS (
     SELECT token_hash, address, chain_id, expires_at, last_seen_at,
            expires_at > now() AND last_seen_at > now() - make_interval(secs => $2) AS live
       FROM sessions WHERE token_hash = $1
   ),
   touched AS (
     UPDATE sessions s SET last_seen_at = now() FROM found
      WHERE s.token_hash = found.token_hash AND found.live AND found.last_seen_at < now() - make_interval(secs => $3)
   ),
   ended AS (
     DELETE FROM sessions s USING found WHERE s.token_hash = found.token_hash AND NOT found.live
   )
   SELECT address, chain_id, expires_at, live FROM found`,
};

/**
 * The session with this token hash if it is neither past its absolute expiry nor idle for `idleSeconds`,
 * marking it used now (one statement). An idle session is deleted: automatic logoff is final.
 */
export async function touchLiveSession(tokenHash: Uint8Array, idleSeconds: number): Promise<LiveSession | undefined> {
  const result = await dbQuery<{ address: `0x${string}`; chain_id: number; expires_at: Date; live: boolean }>(TOUCH_LIVE_SESSION, [
    Buffer.from(tokenHash),
    idleSeconds,
    TOUCH_GRANULARITY_SECONDS,
  ]);
  const row = result.rows[0];
  return row?.live ? { address: row.address, chainId: row.chain_id, expiresAt: row.expires_at } : undefined;
}

/** Ends every session of `address` ("sign out everywhere"); returns how many there were. */
export async function deleteSessionsOf(address: string): Promise<number> {
  const result = await dbQuery("DELETE FROM sessions WHERE address = $1", [address.toLowerCase()]);
  return result.rowCount ?? 0;
}
