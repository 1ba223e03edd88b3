import "server-only";
import { ApiError } from "@/lib/api";
import { getPool } from "@/lib/db/pool";

/**
 * Routes that exist only for `npm run bench` (bench/keys): the baseline a real route is compared with. They
 * answer 404 like any unknown path unless the server was started with EHR_BENCH_ROUTES=1, which only the
 * bench's own throw-away stack does.
 */
export function benchRoutesEnabled(): boolean {
  return process.env.EHR_BENCH_ROUTES === "1";
}

/** A bare `SELECT 1` on the app's own pool: the floor of a route that touches the database. */
export async function selectOne(): Promise<{ ok: true }> {
  if (!benchRoutesEnabled()) throw new ApiError("not_found", "Not found.");
  await getPool().query("SELECT 1");
  return { ok: true };
}
