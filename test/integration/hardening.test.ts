import assert from "node:assert/strict";
import http from "node:http";
import { before, describe, it } from "node:test";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, ganacheSign, signInMessage, signedInClient } from "../support/api/api-client";
import { addRecord, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
const patientAccount = stack.accounts[14]!;
const patient = patientAccount.toLowerCase();
const patientKeys = testKeys();
const OCTETS = { "content-type": "application/octet-stream" };
const EVIL = "https://evil.example";
/** 78 digits, above 2^256 - 1 (≈ 1.16e77). */
const TOO_BIG = "9".repeat(78);

const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });

let alice: ApiClient;

before(async () => {
  await registerPatient(patientAccount, patientKeys.publicKeyHex);
  alice = await signedInClient(patientAccount);
});

async function newUpload(client: ApiClient, fill: number) {
  const record = await encryptedRecord(new Uint8Array(64).fill(fill), [{ address: patient, publicKey: patientKeys.publicKey }]);
  const created = await client.post("/api/uploads", {
    json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { record, uploadId: (created.body as { uploadId: string }).uploadId };
}

async function receivedUpload(client: ApiClient, fill: number) {
  const { record, uploadId } = await newUpload(client, fill);
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  assert.equal(content.status, 200, JSON.stringify(content.body));
  return { record, uploadId, stored: content.body as { cid: string; cidDigest: string; codec: number } };
}

const uploadCount = () =>
  withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM uploads WHERE uploader = $1", [patient])).rows[0]!.n));

describe("record ids beyond uint256 (M3)", () => {
  it("answers 422, never 500, on the query, key and content routes", async () => {
    const invalid = error("invalid_input", "The record id is invalid.", [{ path: "", message: "must be a decimal uint256" }]);
    const query = await alice.post("/api/records/query", { json: { recordIds: ["1", TOO_BIG] } });
    assert.deepEqual([query.status, query.body], [422, error("invalid_input", "The request body is invalid.", [{ path: "recordIds.1", message: "must be a decimal uint256" }])]);
    const key = await alice.get(`/api/records/${TOO_BIG}/key`);
    assert.deepEqual([key.status, key.body], [422, invalid]);
    const content = await alice.get(`/api/records/${TOO_BIG}/content`);
    assert.deepEqual([content.status, content.body], [422, invalid]);
    // 2^256 - 1 itself is a valid id (the chain just does not know it).
    const max = ((1n << 256n) - 1n).toString();
    const ok = await alice.post("/api/records/query", { json: { recordIds: [max] } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe("SIWE origin and session cookie (M5)", () => {
  it("binds sign-in to PUBLIC_URL in production, whatever Host header the request carries", async () => {
    const client = new ApiClient();
    const forged = "evil.example:4444";
    const message = signInMessage({ address: patientAccount, nonce: await client.nonce(), domain: forged, uri: `http://${forged}/` });
    const body = JSON.stringify({ message, signature: await ganacheSign(patientAccount, message) });
    const url = new URL("/api/auth/verify", stack.appUrl);
    const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const request = http.request(url, { method: "POST", headers: { host: forged, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      });
      request.on("error", reject);
      request.end(body);
    });
    assert.deepEqual(answer, { status: 401, body: error("unauthenticated", `The sign-in message is for ${forged}, not ${url.host}.`, { reason: "domain_mismatch" }) });
  });

  it("a new sign-in deletes the session the request's cookie carried", async () => {
    const client = await signedInClient(patientAccount);
    const oldCookie = client.cookie;
    assert.equal((await client.signIn(patientAccount)).status, 200);
    assert.notEqual(client.cookie, oldCookie);
    assert.equal((await client.get("/api/auth/session")).status, 200);
    const stale = new ApiClient();
    stale.cookie = oldCookie;
    assert.deepEqual([(await stale.get("/api/auth/session")).status], [401]);
  });
});

describe("cross-origin requests and JSON content type (M6)", () => {
  const refused = error("forbidden", "Cross-origin request refused.");

  it("refuses state-changing requests with a foreign Origin (403) and changes nothing", async () => {
    const before = await uploadCount();
    const create = await alice.post("/api/uploads", {
      headers: { origin: EVIL },
      json: { patient, size: 100, encryptedMetadata: "AAAA", wrappedKeys: [{ recipient: patient, wrappedKey: "A".repeat(108) }] },
    });
    assert.deepEqual([create.status, create.body], [403, refused]);
    assert.equal(await uploadCount(), before);

    const profile = await alice.put("/api/profile", { headers: { origin: EVIL }, json: { encryptedProfile: "AAAA", wrappedKey: "A".repeat(108) } });
    assert.deepEqual([profile.status, profile.body], [403, refused]);
    assert.equal((await alice.get("/api/profile")).status, 404);

    // A public route too: logout from another site must not end the session.
    const logout = await alice.post("/api/auth/logout", { headers: { origin: EVIL } });
    assert.deepEqual([logout.status, logout.body], [403, refused]);
    assert.equal((await alice.get("/api/auth/session")).status, 200);

    // The app's own origin, and GETs from anywhere, pass.
    const own = await alice.put("/api/profile", { headers: { origin: new URL(stack.appUrl).origin }, json: { encryptedProfile: "AAAA", wrappedKey: "A".repeat(108) } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal((await alice.get("/api/auth/session", { headers: { origin: EVIL } })).status, 200);
  });

  it("answers 415 for a JSON body not sent as application/json", async () => {
    const before = await uploadCount();
    const body = JSON.stringify({ patient, size: 100, encryptedMetadata: "AAAA", wrappedKeys: [{ recipient: patient, wrappedKey: "A".repeat(108) }] });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const answer = await alice.post("/api/uploads", { body, headers: contentType ? { "content-type": contentType } : {} });
      assert.deepEqual([answer.status, answer.body], [415, error("unsupported_media_type", "Send the request body as application/json.")], String(contentType));
    }
    assert.equal(await uploadCount(), before);
    const withCharset = await alice.post("/api/records/query", { body: JSON.stringify({ recordIds: ["1"] }), headers: { "content-type": "application/json; charset=utf-8" } });
    assert.equal(withCharset.status, 200);
  });
});

describe("confirming a received upload (M1, S4)", () => {
  it("gives a received upload 24 h and confirms it even after its original expiry", async () => {
    const { uploadId, stored } = await receivedUpload(alice, 3);
    const expiresAt = await withDatabase(async (db) => (await db.query<{ expires_at: Date }>("SELECT expires_at FROM uploads WHERE id = $1", [uploadId])).rows[0]!.expires_at);
    assert.ok(Math.abs(expiresAt.getTime() - Date.now() - 24 * 3_600_000) < 60_000, `expires ${expiresAt.toISOString()}`);

    const recordId = await addRecord(patientAccount, patientAccount, stored.cidDigest, stored.codec);
    await withDatabase((db) => db.query("UPDATE uploads SET expires_at = now() - interval '1 minute' WHERE id = $1", [uploadId]));
    const confirmed = await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } });
    assert.deepEqual([confirmed.status, confirmed.body], [200, { recordId, cid: stored.cid }]);
  });

  it("answers concurrent confirms of the same upload and record alike (200), another record 409", async () => {
    const { uploadId, stored } = await receivedUpload(alice, 4);
    const recordId = await addRecord(patientAccount, patientAccount, stored.cidDigest, stored.codec);
    const answers = await Promise.all([1, 2, 3, 4].map(() => alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })));
    for (const answer of answers) assert.deepEqual([answer.status, answer.body], [200, { recordId, cid: stored.cid }]);
    const records = await withDatabase(async (db) => (await db.query("SELECT 1 FROM records WHERE record_id = $1", [recordId])).rowCount);
    assert.equal(records, 1);

    const other = ((BigInt(patient) << 96n) + 777n).toString();
    const conflict = await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId: other } });
    assert.deepEqual([conflict.status, conflict.body], [409, error("conflict", `This upload is already confirmed as record ${recordId}.`)]);
  });
});

describe("an upload cancelled during its content PUT", () => {
  it("says so instead of 'already uploaded'", async () => {
    const { record, uploadId } = await newUpload(alice, 5);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const half = record.ciphertext.length >> 1;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(record.ciphertext.subarray(0, half));
        await released;
        controller.enqueue(record.ciphertext.subarray(half));
        controller.close();
      },
    });
    const put = alice.fetch("PUT", `/api/uploads/${uploadId}/content`, { body, headers: OCTETS, duplex: "half" } as RequestInit);
    for (let i = 0; ; i++) {
      const status = await withDatabase(async (db) => (await db.query<{ status: string }>("SELECT status FROM uploads WHERE id = $1", [uploadId])).rows[0]?.status);
      if (status === "receiving") break;
      assert.ok(i < 100, "the PUT never started receiving");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await alice.delete(`/api/uploads/${uploadId}`)).status, 204);
    release();
    const answer = await put;
    assert.deepEqual(
      [answer.status, await answer.json()],
      [404, error("not_found", "This upload was cancelled or expired while its content was being sent; start the upload again.")],
    );
  });
});
