import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
    assert.deepEqual(body.database, { ok: true, schemaVersion: body.database.schemaVersion });
    assert.ok((body.database.schemaVersion ?? 0) >= 1);
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
});
