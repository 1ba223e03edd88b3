import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, DEV_MNEMONIC, parseEnv } from "@/lib/config";

describe("parseEnv", () => {
  it("gives the embedded defaults for an empty environment", () => {
    const env = parseEnv({});
    assert.equal(env.PORT, 3000);
    assert.equal(env.CHAIN_ID, 1337);
    assert.equal(env.RPC_URL, "http://127.0.0.1:8545");
    assert.equal(env.DATA_DIR, ".data");
    assert.equal(env.MAX_UPLOAD_BYTES, 25 * 1024 * 1024);
    assert.equal(env.CHAIN_MNEMONIC, DEV_MNEMONIC);
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.IPFS_API_URL, undefined);
  });

  it("treats `NAME=` (empty, as in .env.example) as unset", () => {
    const env = parseEnv({ DATABASE_URL: "", IPFS_API_URL: "", PORT: "" });
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.IPFS_API_URL, undefined);
    assert.equal(env.PORT, 3000);
  });

  it("coerces numbers and keeps valid URLs", () => {
    const env = parseEnv({ PORT: "8080", DATABASE_URL: "postgres://u:p@db:5432/ehr", CHAIN_ID: "2024" });
    assert.equal(env.PORT, 8080);
    assert.equal(env.CHAIN_ID, 2024);
    assert.equal(env.DATABASE_URL, "postgres://u:p@db:5432/ehr");
  });

  it("names every wrong variable in one error", () => {
    assert.throws(
      () => parseEnv({ PORT: "70000", IPFS_API_URL: "not a url", PATIENT_CONTRACT_ADDRESS: "0x12" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^Invalid configuration:/);
        for (const name of ["PORT", "IPFS_API_URL", "PATIENT_CONTRACT_ADDRESS"]) assert.match(error.message, new RegExp(`\\n  ${name}: `));
        assert.match(error.message, /See \.env\.example/);
        return true;
      },
    );
  });

  it("requires PUBLIC_URL in production, named with every other wrong variable", () => {
    for (const source of [{ NODE_ENV: "production" }, { NODE_ENV: "production", PUBLIC_URL: "" }]) {
      assert.throws(
        () => parseEnv(source),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /\n  PUBLIC_URL: is required when NODE_ENV=production/);
          return true;
        },
      );
    }
    assert.throws(
      () => parseEnv({ NODE_ENV: "production", PORT: "0" }),
      (error: unknown) => error instanceof ConfigError && /\n  PORT: /.test(error.message) && /\n  PUBLIC_URL: is required/.test(error.message),
    );
    assert.equal(parseEnv({ NODE_ENV: "production", PUBLIC_URL: "https://ehr.example.org" }).PUBLIC_URL, "https://ehr.example.org");
    assert.equal(parseEnv({ NODE_ENV: "development" }).PUBLIC_URL, undefined);
    assert.equal(parseEnv({ NODE_ENV: "test" }).PUBLIC_URL, undefined);
  });

  it("defaults the idle logoff to 15 minutes and the rate limits to figures the test suites never reach", () => {
    const env = parseEnv({});
    assert.equal(env.SESSION_IDLE_MINUTES, 15);
    assert.deepEqual([env.RATE_LIMIT_SIGN_IN, env.RATE_LIMIT_KEYS, env.RATE_LIMIT_RECORDS, env.RATE_LIMIT_UPLOADS, env.TRUSTED_PROXIES], [300, 600, 600, 120, 0]);
    const set = parseEnv({ SESSION_IDLE_MINUTES: "5", RATE_LIMIT_SIGN_IN: "10", TRUSTED_PROXIES: "1" });
    assert.deepEqual([set.SESSION_IDLE_MINUTES, set.RATE_LIMIT_SIGN_IN, set.TRUSTED_PROXIES], [5, 10, 1]);
  });

  it("refuses an idle period outside 1 minute..12 hours and a rate limit below 1", () => {
    for (const source of [{ SESSION_IDLE_MINUTES: "0" }, { SESSION_IDLE_MINUTES: "721" }, { SESSION_IDLE_MINUTES: "ten" }, { RATE_LIMIT_KEYS: "0" }, { TRUSTED_PROXIES: "-1" }]) {
      const name = Object.keys(source)[0]!;
      assert.throws(() => parseEnv(source), (error: unknown) => error instanceof ConfigError && new RegExp(`\\n  ${name}: `).test(error.message), name);
    }
  });
});
