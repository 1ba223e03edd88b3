import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import path from "node:path";
import { before, describe, it } from "node:test";
import { CID } from "multiformats/cid";
import { decryptBytes, encryptedSize, randomDataKey, unwrapKey, base64ToBytes, bytesToBase64, wrapKey } from "@/lib/crypto";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, grantAccess, logAccess, registerDoctor, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
const [admin, , , , , patientAccount, otherAccount, doctorAccount, strangerAccount] = stack.accounts as string[];
const patient = patientAccount!.toLowerCase();
const other = otherAccount!.toLowerCase();
const doctor = doctorAccount!.toLowerCase();
const MAX_BYTES = encryptedSize(Number(stack.appEnv.MAX_UPLOAD_BYTES));
const OCTETS = { "content-type": "application/octet-stream" };

const patientKeys = testKeys();
const otherKeys = testKeys();
const doctorKeys = testKeys();
let alice: ApiClient; // the patient
let olga: ApiClient; // another patient
let dora: ApiClient; // a doctor
let stan: ApiClient; // signed in, registered nowhere

const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });

/** Creates an upload of `ciphertext` for the patient (readers: patient and doctor) and sends its content. */
async function uploadContent(client: ApiClient, ciphertext: Uint8Array, record: { encryptedMetadata: string; wrappedKeys: unknown }) {
  const created = await client.post("/api/uploads", {
    json: { patient, size: ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: ciphertext, headers: OCTETS });
  return { uploadId, content };
}

function pinned(cid: string): Promise<boolean> {
  return access(path.join(stack.dataDir, "ipfs", "pins", cid)).then(
    () => true,
    () => false,
  );
}

before(async () => {
  await registerPatient(patientAccount!, patientKeys.publicKeyHex);
  await registerPatient(otherAccount!, otherKeys.publicKeyHex);
  await registerDoctor(admin!, doctorAccount!, doctorKeys.publicKeyHex);
  alice = await signedInClient(patientAccount!);
  olga = await signedInClient(otherAccount!);
  dora = await signedInClient(doctorAccount!);
  stan = await signedInClient(strangerAccount!);
  assert.equal((await dora.put("/api/keys/me", { json: { publicKey: doctorKeys.publicKeyHex } })).status, 200);
});

describe("POST /api/uploads", () => {
  const valid = () => ({
    patient,
    size: 1000,
    encryptedMetadata: "AAAA",
    wrappedKeys: [{ recipient: patient, wrappedKey: "A".repeat(108) }],
  });
  const cases: Array<{ name: string; client: () => ApiClient; body: unknown; status: number; expected: unknown }> = [
    { name: "an upload for another patient", client: () => olga, body: valid(), status: 403, expected: error("forbidden", "You may upload records only for yourself.") },
    {
      name: "an uploader who is not a registered patient",
      client: () => stan,
      body: { ...valid(), patient: strangerAccount!.toLowerCase(), wrappedKeys: [{ recipient: strangerAccount!.toLowerCase(), wrappedKey: "A".repeat(108) }] },
      status: 403,
      expected: error("forbidden", "Register as a patient on chain before uploading records."),
    },
    {
      name: "a declared size above the limit",
      client: () => alice,
      body: { ...valid(), size: MAX_BYTES + 1 },
      status: 413,
      expected: error("payload_too_large", `The encrypted file may be at most ${MAX_BYTES} bytes; ${MAX_BYTES + 1} were declared.`),
    },
    {
      name: "an unknown field",
      client: () => alice,
      body: { ...valid(), owner: patient },
      status: 422,
      expected: error("invalid_input", "The request body is invalid.", [{ path: "", message: 'Unrecognized key: "owner"' }]),
    },
    {
      name: "a bad size and a short wrapped key",
      client: () => alice,
      body: { ...valid(), size: 0, wrappedKeys: [{ recipient: patient, wrappedKey: "AAAA" }] },
      status: 422,
      expected: error("invalid_input", "The request body is invalid.", [
        { path: "size", message: "Too small: expected number to be >0" },
        { path: "wrappedKeys.0.wrappedKey", message: "must be an 81-byte wrapped key" },
      ]),
    },
    {
      name: "no key wrapped for the patient",
      client: () => alice,
      body: { ...valid(), wrappedKeys: [{ recipient: doctor, wrappedKey: "A".repeat(108) }] },
      status: 422,
      expected: error("invalid_input", "The data key must be wrapped for the patient.", [{ path: "wrappedKeys", message: "no entry for the patient" }]),
    },
  ];
  for (const row of cases) {
    it(`answers ${row.status} for ${row.name}`, async () => {
      const answer = await row.client().post("/api/uploads", { json: row.body });
      assert.equal(answer.status, row.status);
      assert.deepEqual(answer.body, row.expected);
    });
  }

  it("answers 401 without a session, whatever the body says", async () => {
    const answer = await new ApiClient().post("/api/uploads", { json: valid() });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body, error("unauthenticated", "Sign in with your wallet first."));
  });

  it("answers 422 for a body that is not JSON", async () => {
    const answer = await alice.post("/api/uploads", { body: "{", headers: { "content-type": "application/json" } });
    assert.equal(answer.status, 422);
    assert.deepEqual(answer.body, error("invalid_input", "The request body is not valid JSON."));
  });
});

describe("the upload path: create, content, addRecord, confirm, read", () => {
  const plaintext = new TextEncoder().encode("%PDF-1.7 pretend this is a discharge letter");
  let recordId: string;
  let cid: string;
  let record: Awaited<ReturnType<typeof encryptedRecord>>;

  it("stores the ciphertext, confirms the record on chain, and hands back key and bytes", async () => {
    record = await encryptedRecord(plaintext, [{ address: patient, publicKey: patientKeys.publicKey }]);
    const created = await alice.post("/api/uploads", {
      json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    assert.equal(created.status, 201);
    const createdBody = created.body as { uploadId: string; expiresAt: string; maxBytes: number };
    assert.deepEqual(createdBody, { uploadId: createdBody.uploadId, expiresAt: createdBody.expiresAt, maxBytes: record.ciphertext.length });
    assert.ok(Math.abs(Date.parse(createdBody.expiresAt) - Date.now() - 3_600_000) < 60_000);

    const content = await alice.put(`/api/uploads/${createdBody.uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
    assert.equal(content.status, 200, JSON.stringify(content.body));
    const stored = content.body as { cid: string; size: number; cidDigest: string; codec: number };
    const parsed = CID.parse(stored.cid);
    assert.deepEqual(stored, {
      cid: stored.cid,
      size: record.ciphertext.length,
      cidDigest: `0x${Buffer.from(parsed.multihash.digest).toString("hex")}`,
      codec: 0x55,
    });
    cid = stored.cid;
    assert.equal(await pinned(cid), true);

    const confirmEarly = await alice.post(`/api/uploads/${createdBody.uploadId}/confirm`, { json: { recordId: (BigInt(patient) << 96n).toString() } });
    assert.equal(confirmEarly.status, 409);
    assert.deepEqual(confirmEarly.body, error("conflict", `Record ${(BigInt(patient) << 96n).toString()} is not on chain; wait for the transaction to be mined.`));

    recordId = await addRecord(patientAccount!, patientAccount!, stored.cidDigest, stored.codec);
    const confirmed = await alice.post(`/api/uploads/${createdBody.uploadId}/confirm`, { json: { recordId } });
    assert.equal(confirmed.status, 200);
    assert.deepEqual(confirmed.body, { recordId, cid });
    const again = await alice.post(`/api/uploads/${createdBody.uploadId}/confirm`, { json: { recordId } });
    assert.deepEqual([again.status, again.body], [200, { recordId, cid }]);

    const query = await alice.post("/api/records/query", { json: { recordIds: [recordId, "12345"] } });
    assert.equal(query.status, 200);
    const patientEntry = { recordId, cid, encryptedMetadata: record.encryptedMetadata, wrappedKey: record.wrappedKeys[0]!.wrappedKey };
    assert.deepEqual(query.body, { records: [patientEntry], unavailable: [{ recordId: "12345", reason: "forbidden" }] });

    const key = await alice.get(`/api/records/${recordId}/key`);
    assert.deepEqual([key.status, key.body], [200, patientEntry]);

    const response = await alice.fetch("GET", `/api/records/${recordId}/content`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/octet-stream");
    assert.equal(response.headers.get("x-content-length"), String(record.ciphertext.length));
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual(bytes, record.ciphertext);
    const dataKey = unwrapKey(base64ToBytes(patientEntry.wrappedKey), patientKeys.secretKey);
    assert.deepEqual(await decryptBytes(dataKey, bytes), plaintext);
  });

  it("refuses another patient and an ungranted doctor (403), lets the doctor read once granted on chain and logged", async () => {
    const refused = error("forbidden", "You may not read this record.", { reason: "no_grant" });
    for (const client of [olga, dora]) {
      const key = await client.get(`/api/records/${recordId}/key`);
      assert.deepEqual([key.status, key.body], [403, refused]);
      const content = await client.get(`/api/records/${recordId}/content`);
      assert.deepEqual([content.status, content.body], [403, refused]);
      const query = await client.post("/api/records/query", { json: { recordIds: [recordId] } });
      assert.deepEqual([query.status, query.body], [200, { records: [], unavailable: [{ recordId, reason: "forbidden" }] }]);
    }
    await grantAccess(patientAccount!, doctorAccount!, [recordId]);
    const doctorKey = bytesToBase64(wrapKey(record.dataKey, doctorKeys.publicKey));
    const shared = await alice.put("/api/shares/keys", { json: { doctor, keys: [{ recordId, wrappedKey: doctorKey }] } });
    assert.deepEqual([shared.status, shared.body], [200, { stored: 1 }]);
    await logAccess(doctorAccount!, recordId);
    const key = await dora.get(`/api/records/${recordId}/key`);
    assert.deepEqual([key.status, key.body], [200, { recordId, cid, encryptedMetadata: record.encryptedMetadata, wrappedKey: doctorKey }]);
    const content = await dora.fetch("GET", `/api/records/${recordId}/content`);
    assert.deepEqual(new Uint8Array(await content.arrayBuffer()), record.ciphertext);
  });

  it("answers 404 for a record the key store does not know and 422 for a malformed id", async () => {
    const unknown = ((BigInt(patient) << 96n) + 999n).toString();
    const key = await alice.get(`/api/records/${unknown}/key`);
    assert.deepEqual([key.status, key.body], [404, error("not_found", "The key store has no key for you on this record.")]);
    const bad = await alice.get("/api/records/0x12/key");
    assert.deepEqual([bad.status, bad.body], [422, error("invalid_input", "The record id is invalid.", [{ path: "", message: "must be a decimal uint256" }])]);
  });

  it("writes an append-only audit row for every key request, allowed or denied", async () => {
    const rows = await withDatabase(async (db) => {
      const result = await db.query<{ actor: string; action: string; allowed: boolean; reason: string }>(
        "SELECT actor, action, allowed, reason FROM key_audit WHERE record_id = $1 AND action = 'key' ORDER BY id",
        [recordId],
      );
      await assert.rejects(db.query("UPDATE key_audit SET allowed = true"), /append-only/);
      await assert.rejects(db.query("DELETE FROM key_audit"), /append-only/);
      return result.rows;
    });
    assert.deepEqual(rows, [
      { actor: patient, action: "key", allowed: true, reason: "patient" },
      { actor: other, action: "key", allowed: false, reason: "no_grant" },
      { actor: doctor, action: "key", allowed: false, reason: "no_grant" },
      { actor: doctor, action: "key", allowed: true, reason: "grant" },
    ]);
  });

  it("answers 409 when the same ciphertext is uploaded again, and keeps the first upload's pin", async () => {
    const second = await uploadContent(alice, record.ciphertext, record);
    assert.deepEqual([second.content.status, second.content.body], [409, error("conflict", "This encrypted file was already uploaded.")]);
    assert.equal(await pinned(cid), true);
    assert.equal((await alice.delete(`/api/uploads/${second.uploadId}`)).status, 204);
    assert.equal(await pinned(cid), true);
  });
});

describe("PUT /api/uploads/:id/content", () => {
  it("rejects a wrong content type (415), a body without the envelope (415), a short body (422), a long body (413)", async () => {
    const record = await encryptedRecord(new Uint8Array(300).fill(7), [{ address: patient, publicKey: patientKeys.publicKey }]);
    const created = await alice.post("/api/uploads", {
      json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    const { uploadId } = created.body as { uploadId: string };
    const url = `/api/uploads/${uploadId}/content`;
    const size = record.ciphertext.length;
    const notEnvelope = new Uint8Array(size).fill(0x25);
    const rows: Array<{ name: string; body: Uint8Array; headers: Record<string, string>; status: number; expected: unknown }> = [
      { name: "text/plain", body: record.ciphertext, headers: { "content-type": "text/plain" }, status: 415, expected: error("unsupported_media_type", "Send the encrypted file as application/octet-stream.") },
      { name: "no envelope", body: notEnvelope, headers: OCTETS, status: 415, expected: error("unsupported_media_type", "The content is not an encrypted record (no EHRF v1 envelope).") },
      { name: "short", body: record.ciphertext.subarray(0, size - 1), headers: OCTETS, status: 422, expected: error("invalid_input", `The content ended after ${size - 1} of the ${size} bytes declared.`) },
      { name: "long", body: Buffer.concat([record.ciphertext, new Uint8Array(1)]), headers: OCTETS, status: 413, expected: error("payload_too_large", `The content is larger than the ${size} bytes declared for this upload.`) },
    ];
    for (const row of rows) {
      const answer = await alice.put(url, { body: row.body, headers: row.headers });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected], row.name);
    }
    // A long body sent without Content-Length is cut while streaming.
    const chunked = await alice.fetch("PUT", url, {
      body: new Blob([Buffer.from(record.ciphertext), Buffer.alloc(10)]).stream(),
      headers: OCTETS,
      duplex: "half",
    } as RequestInit);
    assert.deepEqual([chunked.status, await chunked.json()], [413, error("payload_too_large", `The content is larger than the ${size} bytes declared for this upload.`)]);
    // Nothing was pinned by the refused bodies, and the upload still takes the right content.
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT cid FROM uploads WHERE id = $1", [uploadId])).rows[0]?.cid), null);
    const ok = await alice.put(url, { body: record.ciphertext, headers: OCTETS });
    assert.equal(ok.status, 200);
    const again = await alice.put(url, { body: record.ciphertext, headers: OCTETS });
    assert.deepEqual([again.status, again.body], [409, error("conflict", "The content of this upload was already received.")]);
    const foreign = await olga.put(url, { body: record.ciphertext, headers: OCTETS });
    assert.deepEqual([foreign.status, foreign.body], [403, error("forbidden", "No such upload of yours (it may have expired).")], "someone else's upload answers like an unknown one");
    const unknown = await alice.put("/api/uploads/7c4c2a56-9f1e-4a59-9c0e-6b1b8b0e2f11/content", { body: record.ciphertext, headers: OCTETS });
    assert.deepEqual([unknown.status, unknown.body], [403, error("forbidden", "No such upload of yours (it may have expired).")]);
    assert.equal((await alice.delete(`/api/uploads/${uploadId}`)).status, 204);
  });

  it("accepts a body of exactly the largest allowed size, whole", async () => {
    const body = new Uint8Array(MAX_BYTES);
    body.set([0x45, 0x48, 0x52, 0x46, 0x01]);
    for (let i = 5; i < body.length; i += 4096) body[i] = i & 0xff;
    const record = await encryptedRecord(new Uint8Array(1), [{ address: patient, publicKey: patientKeys.publicKey }]);
    const { uploadId, content } = await uploadContent(alice, body, record);
    assert.equal(content.status, 200, JSON.stringify(content.body));
    const stored = content.body as { cid: string; size: number; codec: number };
    assert.deepEqual([stored.size, stored.codec], [MAX_BYTES, 0x70]);
    assert.equal(await pinned(stored.cid), true);

    // Cancelling unpins it and drops the pending rows.
    const cancel = await alice.delete(`/api/uploads/${uploadId}`);
    assert.equal(cancel.status, 204);
    assert.equal(await pinned(stored.cid), false);
    const leftovers = await withDatabase(async (db) => {
      const uploads = await db.query("SELECT 1 FROM uploads WHERE id = $1", [uploadId]);
      const keys = await db.query("SELECT 1 FROM wrapped_keys WHERE upload_id = $1", [uploadId]);
      return uploads.rowCount! + keys.rowCount!;
    });
    assert.equal(leftovers, 0);
    const gone = await alice.delete(`/api/uploads/${uploadId}`);
    assert.deepEqual([gone.status, gone.body], [403, error("forbidden", "No such upload of yours (it may have expired).")]);
  });
});

describe("POST /api/uploads/:id/confirm", () => {
  it("answers 409 for a record of another patient, a record naming another file, and before content", async () => {
    const record = await encryptedRecord(new Uint8Array(50).fill(1), [{ address: patient, publicKey: patientKeys.publicKey }]);
    const created = await alice.post("/api/uploads", {
      json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    const { uploadId } = created.body as { uploadId: string };
    const early = await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId: "1" } });
    assert.deepEqual([early.status, early.body], [409, error("conflict", "The content of this upload has not been received yet.")]);
    await alice.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });

    const otherRecord = await addRecord(otherAccount!, otherAccount!, `0x${"42".repeat(32)}`, 0x55);
    const wrongPatient = await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId: otherRecord } });
    assert.deepEqual([wrongPatient.status, wrongPatient.body], [409, error("conflict", `Record ${otherRecord} belongs to another patient than this upload.`)]);

    const wrongFile = await addRecord(patientAccount!, patientAccount!, `0x${Buffer.from(randomDataKey()).toString("hex")}`, 0x55);
    const mismatch = await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId: wrongFile } });
    assert.deepEqual([mismatch.status, mismatch.body], [409, error("conflict", `Record ${wrongFile} on chain names another file than this upload.`)]);

    const bad = await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId: 5 } });
    assert.deepEqual([bad.status, bad.body], [
      422,
      error("invalid_input", "The request body is invalid.", [{ path: "recordId", message: "Invalid input: expected string, received number" }]),
    ]);
    assert.equal((await alice.delete(`/api/uploads/${uploadId}`)).status, 204);
  });
});
