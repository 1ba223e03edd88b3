import type pg from "pg";
import { ApiError } from "@/lib/api";
import type { Env } from "@/lib/config";

/**
 * What a request is counted against. sign-in: GET /api/auth/nonce and POST /api/auth/verify, per client
 * address. keys, records, uploads: per session and, at PER_ADDRESS_FACTOR times the limit, per client address.
 */
export type RateLimitClass = "signIn" | "keys" | "records" | "uploads";

/** Table created by migration 0005 (rate-limiter-flexible's layout: key, points, expire in epoch ms). */
export const RATE_LIMIT_TABLE = "rate_limits";
const WINDOW_SECONDS = 60;
/** Rows whose window ended this long ago are deleted, at most once per this period per process. */
const SWEEP_MS = 60 * 60 * 1000;
/** Many users may share one address (a hospital's NAT): the per-address limit is this multiple of the per-session one. */
export const PER_ADDRESS_FACTOR = 10;

export const LIMIT_VARIABLE = { signIn: "RATE_LIMIT_SIGN_IN", keys: "RATE_LIMIT_KEYS", records: "RATE_LIMIT_RECORDS", uploads: "RATE_LIMIT_UPLOADS" } as const satisfies Record<RateLimitClass, keyof Env>;

/** Which class an API request belongs to, from its method and path; undefined = not rate limited. */
export function rateLimitClass(method: string, pathname: string): RateLimitClass | undefined {
  const m = method.toUpperCase();
  if ((m === "GET" && pathname === "/api/auth/nonce") || (m === "POST" && pathname === "/api/auth/verify")) return "signIn";
  if (m === "GET" && (/^\/api\/records\/[^/]+\/key$/.test(pathname) || /^\/api\/keys\/[^/]+$/.test(pathname))) return "keys";
  if (m === "PUT" && pathname === "/api/shares/keys") return "keys";
  if ((m === "POST" && pathname === "/api/records/query") || (m === "GET" && /^\/api\/records\/[^/]+\/content$/.test(pathname))) return "records";
  if ((m === "POST" && pathname === "/api/uploads") || (m === "PUT" && /^\/api\/uploads\/[^/]+\/content$/.test(pathname))) return "uploads";
  if (m === "POST" && /^\/api\/uploads\/[^/]+\/confirm$/.test(pathname)) return "uploads";
  return undefined;
}

/**
 * The client's address: the X-Forwarded-For entry TRUSTED_PROXIES places from the right. Next.js fills the
 * header with the socket's address when the request has none; a proxy that appends (nginx's
 * $proxy_add_x_forwarded_for) puts the address it saw last. Without any proxy a client can send its own
 * X-Forwarded-For and so choose its address: deploy behind one (docker-compose's note, README).
 */
export function clientAddress(request: Request, trustedProxies: number): string {
  const entries = (request.headers.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  const entry = entries[Math.max(0, entries.length - 1 - trustedProxies)] ?? "unknown";
  // IPv4-mapped IPv6 and IPv4 are one client; keys stay short whatever a header holds.
  return entry.replace(/^::ffff:/i, "").slice(0, 64);
}

export interface Limiters {
  consume(kind: RateLimitClass, scope: "address" | "session", key: string): Promise<void>;
}

/*
 * One statement per count: a fixed window of WINDOW_SECONDS per key (the first request opens it, the count
 * restarts once it has ended), the same rows and semantics as rate-limiter-flexible's RateLimiterPostgres.
 * The transaction of that statement alone commits without waiting for its WAL flush (synchronous_commit off,
 * local to it): a crash may forget the last few increments, which only lets a client a few more requests
 * once; every other write (sessions, keys, the audit) still waits for its flush. Under load this takes two
 * flushes off every key request.
 */
const CONSUME = {
  name: "rate-limit-consume",
  text: `WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))
         INSERT INTO ${RATE_LIMIT_TABLE} AS r (key, points, expire) SELECT $1, 1, $2::bigint FROM unflushed
         ON CONFLICT (key) DO UPDATE SET
           points = CASE WHEN r.expire IS NULL OR r.expire <= $3::bigint THEN 1 ELSE r.points + 1 END,
           expire = CASE WHEN r.expire IS NULL OR r.expire <= $3::bigint THEN $2::bigint ELSE r.expire END
         RETURNING points, expire`,
};

/** Limiters on `pool`, with per-minute limits per class (exported for the tests against a real PostgreSQL). */
export function createLimiters(pool: pg.Pool, limits: Record<RateLimitClass, number>, keyPrefix = "rl"): Limiters {
  let lastSweep = Date.now();
  const sweep = (now: number) => {
    if (now - lastSweep < SWEEP_MS) return;
    lastSweep = now;
    pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < $1`, [now - SWEEP_MS]).catch(() => {});
  };
  return {
    async consume(kind, scope, key) {
      const points = kind === "signIn" || scope === "session" ? limits[kind] : limits[kind] * PER_ADDRESS_FACTOR;
      const now = Date.now();
      const result = await pool.query<{ points: number; expire: string | number }>({
        ...CONSUME,
        values: [`${keyPrefix}:${kind}:${scope}:${key}`, now + WINDOW_SECONDS * 1000, now],
      });
      sweep(now);
      const row = result.rows[0]!;
      if (row.points > points) {
        // Against the clock after the answer: another request may have opened the window a moment after `now`.
        const seconds = Math.max(1, Math.ceil((Number(row.expire) - Date.now()) / 1000));
        throw new ApiError("rate_limited", `Too many requests; try again in ${seconds} s.`, undefined, { "retry-after": String(seconds) });
      }
    },
  };
}
