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
