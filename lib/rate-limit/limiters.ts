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
 * A fixed window of WINDOW_SECONDS per key (the first request opens it, the count restarts once it has ended),
 * the same rows and semantics as rate-limiter-flexible's RateLimiterPostgres, counted in one statement for
 * many requests: at most one count statement runs per limiter set, and the requests arriving meanwhile are
 * counted together by the next (n requests on one key add n, and the i-th of them holds count total - n + i,
 * exactly as if they had come one after the other; keys are locked in sorted order, so instances never
 * deadlock). That statement's transaction alone commits without waiting for its WAL flush
 * (synchronous_commit off, local to it): a crash may forget the last few increments, which only lets a client
 * a few more requests once; every other write (sessions, keys, the audit) still waits for its flush.
 */
const CONSUME = {
  name: "rate-limit-consume-many",
  text: `WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))
         INSERT INTO ${RATE_LIMIT_TABLE} AS r (key, points, expire)
           SELECT c.key, c.n, $3::bigint FROM unflushed, unnest($1::text[], $2::int[]) AS c(key, n) ORDER BY c.key
         ON CONFLICT (key) DO UPDATE SET
           points = CASE WHEN r.expire IS NULL OR r.expire <= $4::bigint THEN EXCLUDED.points ELSE r.points + EXCLUDED.points END,
           expire = CASE WHEN r.expire IS NULL OR r.expire <= $4::bigint THEN $3::bigint ELSE r.expire END
         RETURNING key, points, expire`,
};
/** At most this many requests counted by one statement. */
const MAX_BATCH = 1_000;

interface Count {
  /** This request's place in its key's window (1 = the first). */
  count: number;
  /** When the window ends, epoch milliseconds. */
  expire: number;
}

interface Waiting {
  key: string;
  resolve(count: Count): void;
  reject(error: unknown): void;
}

/** Limiters on `pool`, with per-minute limits per class (exported for the tests against a real PostgreSQL). */
export function createLimiters(pool: pg.Pool, limits: Record<RateLimitClass, number>, keyPrefix = "rl"): Limiters {
  let lastSweep = Date.now();
  const sweep = (now: number) => {
    if (now - lastSweep < SWEEP_MS) return;
    lastSweep = now;
    pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < $1`, [now - SWEEP_MS]).catch(() => {});
  };

  const waiting: Waiting[] = [];
  let counting = false;
  const countBatch = async (batch: Waiting[]) => {
    const byKey = new Map<string, Waiting[]>();
    for (const request of batch) {
      const same = byKey.get(request.key);
      if (same) same.push(request);
      else byKey.set(request.key, [request]);
    }
    const keys = [...byKey.keys()].sort();
    const now = Date.now();
    try {
      const result = await pool.query<{ key: string; points: number; expire: string | number }>({
        ...CONSUME,
        values: [keys, keys.map((key) => byKey.get(key)!.length), now + WINDOW_SECONDS * 1000, now],
      });
      sweep(now);
      for (const row of result.rows) {
        const requests = byKey.get(row.key) ?? [];
        byKey.delete(row.key);
        requests.forEach((request, i) => request.resolve({ count: row.points - requests.length + 1 + i, expire: Number(row.expire) }));
      }
      for (const requests of byKey.values()) for (const request of requests) request.reject(new Error("The rate limit count returned no row."));
    } catch (error) {
      for (const request of batch) request.reject(error);
    }
  };
  const drain = async () => {
    counting = true;
    try {
      while (waiting.length) await countBatch(waiting.splice(0, MAX_BATCH));
    } finally {
      counting = false;
    }
  };
  const count = (key: string) =>
    new Promise<Count>((resolve, reject) => {
      waiting.push({ key, resolve, reject });
      if (!counting) void drain();
    });

  return {
    async consume(kind, scope, key) {
      const points = kind === "signIn" || scope === "session" ? limits[kind] : limits[kind] * PER_ADDRESS_FACTOR;
      const counted = await count(`${keyPrefix}:${kind}:${scope}:${key}`);
      if (counted.count > points) {
        // Against the clock after the answer: another request may have opened the window a moment after it was sent.
        const seconds = Math.max(1, Math.ceil((counted.expire - Date.now()) / 1000));
        throw new ApiError("rate_limited", `Too many requests; try again in ${seconds} s.`, undefined, { "retry-after": String(seconds) });
      }
    },
  };
}
