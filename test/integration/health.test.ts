import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pg from "pg";
import { LATEST_SCHEMA_VERSION } from "@/lib/db/schema-version";
import { startApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import type { SystemHealth } from "@/lib/health/fetch-health";
import { stackUnderTest } from "../support/stack-env";

const stack = stackUnderTest();

describe("GET /api/health", () => {
  it("answers 200 with chain, database and IPFS details when everything is up", async () => {
    const response = await fetch(new URL("/api/health", stack.appUrl));
    assert.equal(response.status, 200);
    const body = (await response.json()) as SystemHealth;
    assert.equal(body.ok, true);
    assert.equal(body.chain.chainId, 1337);
    assert.ok((body.chain.blockNumber ?? 0) >= 2, "the migrations mined blocks");
    assert.equal(body.chain.contracts.DoctorContract?.bytecodePresent, true);
    assert.equal(body.chain.contracts.PatientContract?.bytecodePresent, true);
    assert.match(body.chain.contracts.PatientContract?.address ?? "", /^0x[0-9a-fA-F]{40}$/);
    assert.deepEqual(body.database, { ok: true, schemaVersion: LATEST_SCHEMA_VERSION });
    assert.deepEqual(body.ipfs, { ok: true, backend: "embedded" });
  });

  it("answers 503 naming the failing parts when the database and Kubo are unreachable", async () => {
    const closedPort = await freePort();
    // A second server from the same build, pointed at services that are not there.
    const app = await startApp({
      host: "127.0.0.1",
      port: await freePort(),
      distDir: stack.distDir,
      env: {
        ...stack.appEnv,
        DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${closedPort}/none`,
        IPFS_API_URL: `http://127.0.0.1:${closedPort}`,
      },
    });
    try {
      const response = await fetch(new URL("/api/health", app.url));
      assert.equal(response.status, 503);
      const body = (await response.json()) as SystemHealth;
      assert.equal(body.ok, false);
      assert.equal(body.chain.ok, true);
      assert.deepEqual(body.database, { ok: false, error: "The database is not reachable." });
      assert.deepEqual(body.ipfs, { ok: false, backend: "kubo", error: "The IPFS store is not reachable." });
    } finally {
      await app.stop();
    }
  });

  it("answers 503 with the schema version while the database is behind the app's migrations", async () => {
    // A database whose migrations stopped at version 3 (as an older copy of the data would be).
    const admin = new pg.Client({ connectionString: stack.databaseUrl });
    await admin.connect();
    const name = `health_behind_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(stack.databaseUrl);
    url.pathname = `/${name}`;
    try {
      const behind = new pg.Client({ connectionString: url.href });
      await behind.connect();
      await behind.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL)");
      await behind.query("INSERT INTO schema_migrations VALUES (1, 'users'), (2, 'key_store'), (3, 'upload_received_at')");
      await behind.end();
      const app = await startApp({ host: "127.0.0.1", port: await freePort(), distDir: stack.distDir, env: { ...stack.appEnv, DATABASE_URL: url.href } });
      try {
        const response = await fetch(new URL("/api/health", app.url));
        assert.equal(response.status, 503);
        const body = (await response.json()) as SystemHealth;
        assert.equal(body.ok, false);
        assert.deepEqual(body.database, {
          ok: false,
          schemaVersion: 3,
          error: `The database schema is at version 3; this app needs version ${LATEST_SCHEMA_VERSION} (run the migrations: npm run db:migrate).`,
        });
        assert.equal(body.chain.ok && body.ipfs.ok, true, "the rest is up");
      } finally {
        await app.stop();
      }
    } finally {
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
