import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import autocannon from "autocannon";
import { startApp, type RunningApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import { ApiClient } from "../support/api/api-client";
import { addRecord, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Load: 200 connections sending signed-in key requests (GET /api/records/:id/key, each checked against the
 * session, counted by the rate limiter and written to the key audit) for LOAD_SECONDS (default 30) against the
 * production server, a second `next start` from the test run's build on the shared database and chain. Its
 * rate limits are raised so that the limiter counts every request but refuses none (refusals are what
 * rate-limit.test.ts checks). Every answer must be 200 with exactly the record's key: zero errors, zero
 * timeouts, zero non-2xx, zero mismatched bodies; every request leaves one audit row. Account 58 is the patient.
 */
const stack = stackUnderTest();
const account = stack.accounts[58]!;
const patient = account.toLowerCase();
const CONNECTIONS = 200;
const SECONDS = Number(process.env.LOAD_SECONDS || 30);

let app: RunningApp;
let client: ApiClient;
let recordId: string;
let expectedBody: string;

const auditRows = () =>
  withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM key_audit WHERE actor = $1", [patient])).rows[0]!.n));

before(async () => {
  const keys = testKeys();
  await registerPatient(account, keys.publicKeyHex);
  const port = await freePort();
  app = await startApp({
    host: "127.0.0.1",
    port,
    distDir: stack.distDir,
    env: { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, RATE_LIMIT_KEYS: "10000000" },
  });
  client = new ApiClient(app.url);
  assert.equal((await client.signIn(account)).status, 200);
  const record = await encryptedRecord(new Uint8Array(1_000).fill(58), [{ address: patient, publicKey: keys.publicKey }]);
  const created = await client.post("/api/uploads", {
    json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  const uploadId = (created.body as { uploadId: string }).uploadId;
  const stored = (await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: { "content-type": "application/octet-stream" } }))
    .body as { cid: string; cidDigest: string; codec: number };
  recordId = await addRecord(account, account, stored.cidDigest, stored.codec);
  assert.equal((await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
  const answer = await client.get(`/api/records/${recordId}/key`);
  assert.equal(answer.status, 200);
  expectedBody = JSON.stringify({ recordId, cid: stored.cid, encryptedMetadata: record.encryptedMetadata, wrappedKey: record.wrappedKeys[0]!.wrappedKey });
  assert.equal(JSON.stringify(answer.body), expectedBody);
});

after(async () => {
  await client?.post("/api/auth/logout-all");
  await app?.stop();
});

describe("load", () => {
  it(`${CONNECTIONS} connections of signed-in key requests for ${SECONDS} s: zero errors, zero wrong answers, one audit row each`, { timeout: (SECONDS + 120) * 1000 }, async () => {
    const auditBefore = await auditRows();
    const result = await autocannon({
      url: `${app.url}/api/records/${recordId}/key`,
      connections: CONNECTIONS,
      duration: SECONDS,
      // Its own client address: the rate-limit counts live in the shared database, and thousands of requests a
      // minute from the address every other test uses would use up that address's budget for the files after it.
      headers: { cookie: client.cookie!, "x-forwarded-for": "198.51.100.77" },
      timeout: 30,
      expectBody: expectedBody,
    });
    const audited = (await auditRows()) - auditBefore;
    const figures = {
      requests: result.requests.total,
      perSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
    };
    console.log(`# load: ${CONNECTIONS} connections, ${SECONDS} s: ${JSON.stringify(figures)}`);
    assert.deepEqual(
      { errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, mismatches: result.mismatches, resets: result.resets },
      { errors: 0, timeouts: 0, non2xx: 0, mismatches: 0, resets: 0 },
    );
    assert.ok(result["2xx"] > 0);
    // autocannon counts the answers it read; requests cut off by the end of the run may still be audited.
    assert.ok(audited >= result["2xx"] && audited <= result["2xx"] + CONNECTIONS, `${audited} audit rows for ${result["2xx"]} answers`);
  });
});
