import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import pg from "pg";
import { ApiError } from "@/lib/api";
import { clientAddress, createLimiters, rateLimitClass } from "@/lib/rate-limit/limiters";
import { stackUnderTest } from "../support/stack-env";

/*
 * The limiter against the real PostgreSQL store: two app instances (two pools) share one count, and a burst
 * of parallel requests lets exactly the limit through.
 */
const stack = stackUnderTest();

describe("rate limits shared through PostgreSQL", () => {
  it("50 parallel requests from two instances with a limit of 10: exactly 10 pass, 40 get 429 with Retry-After", async () => {
    const pools = [new pg.Pool({ connectionString: stack.databaseUrl, max: 5 }), new pg.Pool({ connectionString: stack.databaseUrl, max: 5 })];
    try {
      const prefix = `adversarial-${randomUUID()}`;
      const instances = pools.map((pool) => createLimiters(pool, { signIn: 10, keys: 10, records: 10, uploads: 10 }, prefix));
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          instances[i % 2]!.consume("keys", "session", "one-session").then(
            () => "ok",
            (error: unknown) => {
              assert.ok(error instanceof ApiError && error.code === "rate_limited" && error.status === 429, String(error));
              const retryAfter = Number(error.headers?.["retry-after"]);
              assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
              return "limited";
            },
          ),
        ),
      );
      assert.deepEqual([outcomes.filter((o) => o === "ok").length, outcomes.filter((o) => o === "limited").length], [10, 40]);
      // Another session, and the same session's per-address count (ten times the limit), are separate keys.
      await instances[0]!.consume("keys", "session", "another-session");
      for (let i = 0; i < 100; i++) await instances[1]!.consume("keys", "address", "192.0.2.1");
      await assert.rejects(instances[0]!.consume("keys", "address", "192.0.2.1"), (error: unknown) => error instanceof ApiError && error.code === "rate_limited");
      await pools[0]!.query("DELETE FROM rate_limits WHERE key LIKE $1", [`${prefix}:%`]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it("requests counted together (300 in parallel over 3 keys, one instance, limit 40): exactly 40 pass per key, every request counted", async () => {
    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
    try {
      const prefix = `adversarial-${randomUUID()}`;
      const limiters = createLimiters(pool, { signIn: 40, keys: 40, records: 40, uploads: 40 }, prefix);
      const keys = ["a", "b", "c"];
      const outcomes = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          limiters.consume("uploads", "session", keys[i % 3]!).then(
            () => `${keys[i % 3]} ok`,
            (error: unknown) => (error instanceof ApiError && error.code === "rate_limited" ? `${keys[i % 3]} limited` : String(error)),
          ),
        ),
      );
      for (const key of keys) {
        assert.equal(outcomes.filter((o) => o === `${key} ok`).length, 40, key);
        assert.equal(outcomes.filter((o) => o === `${key} limited`).length, 60, key);
      }
      const stored = await pool.query<{ points: number }>("SELECT points FROM rate_limits WHERE key LIKE $1", [`${prefix}:%`]);
      assert.deepEqual(stored.rows.map((r) => r.points), [100, 100, 100]);
      await pool.query("DELETE FROM rate_limits WHERE key LIKE $1", [`${prefix}:%`]);
    } finally {
      await pool.end();
    }
  });

  it("a count whose minute has ended starts again; Retry-After is the rest of the window; rows keep rate-limiter-flexible's layout", async () => {
    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
    try {
      const prefix = `adversarial-${randomUUID()}`;
      const limiters = createLimiters(pool, { signIn: 2, keys: 2, records: 2, uploads: 2 }, prefix);
      await limiters.consume("records", "session", "s");
      await limiters.consume("records", "session", "s");
      const retryAfter = (expected: number) => (error: unknown) => {
        const seconds = error instanceof ApiError ? Number(error.headers?.["retry-after"]) : NaN;
        // A second or two of slack for a loaded machine.
        return seconds <= expected && seconds >= expected - 2;
      };
      await assert.rejects(limiters.consume("records", "session", "s"), retryAfter(60));
      const key = `${prefix}:records:session:s`;
      const stored = await pool.query<{ points: number; expire: string }>("SELECT points, expire::text AS expire FROM rate_limits WHERE key = $1", [key]);
      assert.equal(stored.rows[0]!.points, 3);
      assert.ok(Math.abs(Number(stored.rows[0]!.expire) - (Date.now() + 60_000)) < 10_000, stored.rows[0]!.expire);
      // Ten seconds left in the window: Retry-After says so.
      await pool.query("UPDATE rate_limits SET expire = $2 WHERE key = $1", [key, Date.now() + 10_000]);
      await assert.rejects(limiters.consume("records", "session", "s"), retryAfter(10));
      // The window has ended: the count restarts at one, with a new minute.
      await pool.query("UPDATE rate_limits SET expire = $2 WHERE key = $1", [key, Date.now() - 1]);
      await limiters.consume("records", "session", "s");
      await limiters.consume("records", "session", "s");
      await assert.rejects(limiters.consume("records", "session", "s"), (error: unknown) => error instanceof ApiError && error.code === "rate_limited");
      await pool.query("DELETE FROM rate_limits WHERE key LIKE $1", [`${prefix}:%`]);
    } finally {
      await pool.end();
    }
  });

  it("only the counter's own transaction skips the WAL flush: the same connection's next statement commits synchronously again", async () => {
    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
    try {
      const prefix = `adversarial-${randomUUID()}`;
      const limiters = createLimiters(pool, { signIn: 5, keys: 5, records: 5, uploads: 5 }, prefix);
      const setting = async () => (await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0]!.synchronous_commit;
      const before = await setting();
      await limiters.consume("keys", "address", "192.0.2.7");
      assert.equal(await setting(), before);
      assert.notEqual(before, "off");
      await pool.query("DELETE FROM rate_limits WHERE key LIKE $1", [`${prefix}:%`]);
    } finally {
      await pool.end();
    }
  });

  it("classifies the limited routes and nothing else", () => {
    const table: Array<[string, string, string | undefined]> = [
      ["GET", "/api/auth/nonce", "signIn"],
      ["POST", "/api/auth/verify", "signIn"],
      ["GET", "/api/records/123/key", "keys"],
      ["GET", "/api/keys/0xabc", "keys"],
      ["PUT", "/api/shares/keys", "keys"],
      ["POST", "/api/records/query", "records"],
      ["GET", "/api/records/123/content", "records"],
      ["POST", "/api/uploads", "uploads"],
      ["PUT", "/api/uploads/abc/content", "uploads"],
      ["POST", "/api/uploads/abc/confirm", "uploads"],
      ["DELETE", "/api/uploads/abc", undefined],
      ["GET", "/api/health", undefined],
      ["GET", "/api/auth/session", undefined],
      ["POST", "/api/auth/logout", undefined],
      ["GET", "/api/records/123/key/extra", undefined],
    ];
    for (const [method, path, kind] of table) assert.equal(rateLimitClass(method, path), kind, `${method} ${path}`);
  });

  it("takes the client address from the right of X-Forwarded-For, skipping TRUSTED_PROXIES entries", () => {
    const request = (xff?: string) => new Request("http://app.test/", { headers: xff ? { "x-forwarded-for": xff } : {} });
    assert.equal(clientAddress(request("::ffff:127.0.0.1"), 0), "127.0.0.1");
    assert.equal(clientAddress(request("6.6.6.6, 203.0.113.9"), 0), "203.0.113.9");
    assert.equal(clientAddress(request("6.6.6.6, 203.0.113.9, 10.0.0.2"), 1), "203.0.113.9");
    assert.equal(clientAddress(request("203.0.113.9"), 3), "203.0.113.9");
    assert.equal(clientAddress(request(), 0), "unknown");
    assert.equal(clientAddress(request("x".repeat(500)), 0).length, 64);
  });
});
