/**
 * Key rotation and re-encryption routes against the real stack: staging re-wrapped keys under the new key, the
 * swap refused until the chain shows that key (and while a key wrapped meanwhile is not staged), then done in one
 * go, data keys and the keys in front of the emergency scope and access request reasons alike; a wrong party and an
 * unknown id get the same 403; re-encryption retires an amended record's keys and
 * ciphertext only once the chain and the key store hold its new version.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import { Web3 } from "web3";
import { bytesToBase64, decryptBytes, unwrapKey, wrapKey } from "@/lib/crypto";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, grantAccess, registerDoctor, registerPatient, setDoctorKey } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";

// Accounts 48 and 49 belong to this file (50-53: test/e2e/key-rotation.test.ts); 0 is the admin.
const stack = stackUnderTest();
const adminAccount = stack.accounts[0]!;
const roseAccount = stack.accounts[48]!;
const vikAccount = stack.accounts[49]!;
const rose = roseAccount.toLowerCase();
const vik = vikAccount.toLowerCase();
const OCTETS = { "content-type": "application/octet-stream" };
const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });
const FOREIGN = error("forbidden", "Some of these keys are not wrapped for you (or do not exist); nothing was staged.");
const NOT_YOURS = error("forbidden", "This is not one of your stored records.");

const keys = { rose: testKeys(), rose2: testKeys(), vik: testKeys(), vik2: testKeys() };
let roseClient: ApiClient;
let vikClient: ApiClient;

async function patientContract() {
  const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: Record<string, { address: string }> } };
  const web3 = new Web3(stack.rpcUrl);
  return new web3.eth.Contract(patientContractAbi, health.chain.contracts.PatientContract!.address);
}

async function storeRecord(readers: Array<{ address: string; publicKey: Uint8Array }>) {
  const record = await encryptedRecord(randomBytes(300), readers);
  const created = await roseClient.post("/api/uploads", { json: { patient: rose, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await roseClient.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  const { cid, cidDigest, codec } = content.body as { cid: string; cidDigest: string; codec: number };
  return { uploadId, cid, cidDigest, codec, ...record };
}

async function confirm(uploadId: string, recordId: string) {
  const confirmed = await roseClient.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
}

const rowsOf = (recipient: string) =>
  withDatabase(async (db) => (await db.query<{ id: string; wrapped_key: Buffer }>("SELECT id::text AS id, wrapped_key FROM wrapped_keys WHERE recipient = $1 ORDER BY wrapped_keys.id", [recipient])).rows);
const opensWith = (wrapped: Uint8Array, secretKey: Uint8Array) => {
  try {
    unwrapKey(wrapped, secretKey);
    return true;
  } catch {
    return false;
  }
};
type KeysBody = { publicKey: string; keys: Array<{ id: string; recordId: string | null; wrappedKey: string }>; profileWrappedKey: string | null; rotation: unknown };
const rewrapAll = (body: KeysBody, from: Uint8Array, to: Uint8Array) =>
  body.keys.map((key) => ({ id: key.id, wrappedKey: bytesToBase64(wrapKey(unwrapKey(Buffer.from(key.wrappedKey, "base64"), from), to)) }));

/** A wrapped key (81 bytes) in front of some ciphertext, as the emergency scope and notes are sealed. */
const sealedFor = (publicKey: Uint8Array, tail: Buffer) => Buffer.concat([Buffer.from(wrapKey(randomBytes(32), publicKey)), tail]);
const TAIL = Buffer.from("ciphertext that must stay byte for byte");
const REQUEST_ID = "6f0e1a52-8d3c-4e8b-9a51-2b7c0d4e5f61";

const records: Record<string, Awaited<ReturnType<typeof storeRecord>> & { recordId: string }> = {};

before(async () => {
  await registerPatient(roseAccount, keys.rose.publicKeyHex);
  await registerDoctor(adminAccount, vikAccount, keys.vik.publicKeyHex, { name: "Dr Vik Rotation", specialty: "Rotation suite" });
  roseClient = await signedInClient(roseAccount);
  vikClient = await signedInClient(vikAccount);
  for (const [client, pair] of [[roseClient, keys.rose], [vikClient, keys.vik]] as const) {
    assert.equal((await client.put("/api/keys/me", { json: { publicKey: pair.publicKeyHex } })).status, 200);
  }
  for (const name of ["one", "two"]) {
    const stored = await storeRecord([{ address: rose, publicKey: keys.rose.publicKey }]);
    const recordId = await addRecord(roseAccount, roseAccount, stored.cidDigest, stored.codec);
    await confirm(stored.uploadId, recordId);
    records[name] = { ...stored, recordId };
  }
  // Vik reads record one.
  const shared = await roseClient.put("/api/shares/keys", { json: { doctor: vik, keys: [{ recordId: records.one!.recordId, wrappedKey: bytesToBase64(wrapKey(records.one!.dataKey, keys.vik.publicKey)) }] } });
  assert.equal(shared.status, 200, JSON.stringify(shared.body));
  await grantAccess(roseAccount, vikAccount, [records.one!.recordId]);
});

describe("patient key rotation", () => {
  let body: KeysBody;

  it("GET /api/keys/rotation lists every key wrapped for the caller and no open rotation", async () => {
    const answer = await roseClient.get("/api/keys/rotation");
    assert.equal(answer.status, 200);
    body = answer.body as KeysBody;
    assert.equal(body.publicKey, keys.rose.publicKeyHex);
    assert.deepEqual(body.keys.map((key) => key.recordId), [records.one!.recordId, records.two!.recordId]);
    assert.equal(body.profileWrappedKey, null);
    assert.equal(body.rotation, null);
    assert.equal((await new ApiClient().get("/api/keys/rotation")).status, 401);
  });

  it("refuses another party's key ids and unknown ids with the same 403, staging nothing", async () => {
    const vikRows = await rowsOf(vik);
    const rewrapped = rewrapAll(body, keys.rose.secretKey, keys.rose2.publicKey);
    for (const id of [vikRows[0]!.id, "999999999"]) {
      const answer = await roseClient.put("/api/keys/rotation", {
        json: { oldPublicKey: keys.rose.publicKeyHex, newPublicKey: keys.rose2.publicKeyHex, keys: [...rewrapped, { id, wrappedKey: rewrapped[0]!.wrappedKey }] },
      });
      assert.deepEqual([answer.status, answer.body], [403, FOREIGN]);
    }
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM key_rotations WHERE address = $1", [rose])).rowCount), 0);
  });

  it("refuses an old key that is not the key store's, an unchanged key and a malformed body", async () => {
    const wrongOld = await roseClient.put("/api/keys/rotation", { json: { oldPublicKey: testKeys().publicKeyHex, newPublicKey: keys.rose2.publicKeyHex, keys: [] } });
    assert.deepEqual([wrongOld.status, wrongOld.body], [
      409,
      error("conflict", "The key store does not hold this old key for you: reload the page and start again.", [{ path: "oldPublicKey", message: "not the key store's key" }]),
    ]);
    const same = await roseClient.put("/api/keys/rotation", { json: { oldPublicKey: keys.rose.publicKeyHex, newPublicKey: keys.rose.publicKeyHex, keys: [] } });
    assert.equal(same.status, 422);
    const malformed = await roseClient.put("/api/keys/rotation", { json: { oldPublicKey: keys.rose.publicKeyHex, newPublicKey: "0x12", keys: [{ id: "1", wrappedKey: "AA==" }] } });
    assert.equal(malformed.status, 422);
  });

  it("stages the re-wrapped keys under the new key; readers keep the old keys meanwhile", async () => {
    const before = await rowsOf(rose);
    const answer = await roseClient.put("/api/keys/rotation", {
      json: { oldPublicKey: keys.rose.publicKeyHex, newPublicKey: keys.rose2.publicKeyHex, keys: rewrapAll(body, keys.rose.secretKey, keys.rose2.publicKey) },
    });
    assert.deepEqual([answer.status, answer.body], [200, { newPublicKey: keys.rose2.publicKeyHex, staged: 2 }]);
    assert.deepEqual(await rowsOf(rose), before, "wrapped_keys unchanged while staged");
    const state = (await roseClient.get("/api/keys/rotation")).body as KeysBody & { rotation: { newPublicKey: string; staged: number } };
    assert.equal(state.rotation.newPublicKey, keys.rose2.publicKeyHex);
    assert.equal(state.rotation.staged, 2);
  });

  it("refuses the swap while the chain still shows the old key", async () => {
    const answer = await roseClient.post("/api/keys/rotation/complete", { json: { newPublicKey: keys.rose2.publicKeyHex } });
    assert.deepEqual([answer.status, answer.body], [
      409,
      error("conflict", "The chain does not show your new key yet: wait for the transaction, then try again.", { reason: "chain_pending" }),
    ]);
    for (const row of await rowsOf(rose)) assert.ok(opensWith(row.wrapped_key, keys.rose.secretKey));
    const unknown = await roseClient.post("/api/keys/rotation/complete", { json: { newPublicKey: testKeys().publicKeyHex } });
    assert.deepEqual([unknown.status, unknown.body], [404, error("not_found", "No rotation to this key is staged for you.")]);
  });

  it("once the chain shows the new key: a key wrapped meanwhile must be staged first, then everything swaps at once", async () => {
    const stored = await storeRecord([{ address: rose, publicKey: keys.rose.publicKey }]);
    const recordId = await addRecord(roseAccount, roseAccount, stored.cidDigest, stored.codec);
    await confirm(stored.uploadId, recordId);
    records.three = { ...stored, recordId };
    // Sealed for Rose meanwhile: her emergency scope, and Vik's access request reason (its patient key).
    await withDatabase(async (db) => {
      await db.query("INSERT INTO emergency_configs (patient, key_version, public_key, sealed_scope) VALUES ($1, 1, $2, $3)", [rose, randomBytes(32), sealedFor(keys.rose.publicKey, TAIL)]);
      await db.query(
        `INSERT INTO access_requests (id, doctor, patient, all_records, proposed_expiry, encrypted_reason, reason_key_patient, reason_key_doctor)
         VALUES ($1, $2, $3, true, 0, $4, $5, $6)`,
        [REQUEST_ID, vik, rose, TAIL, Buffer.from(wrapKey(randomBytes(32), keys.rose.publicKey)), Buffer.from(wrapKey(randomBytes(32), keys.vik.publicKey))],
      );
    });
    await (await patientContract()).methods.setEncryptionKey(keys.rose2.publicKeyHex).send({ from: roseAccount, gas: "3000000" });

    const newRow = (await rowsOf(rose)).at(-1)!;
    const unstaged = await roseClient.post("/api/keys/rotation/complete", { json: { newPublicKey: keys.rose2.publicKeyHex } });
    assert.deepEqual([unstaged.status, unstaged.body], [
      409,
      error("conflict", "Some keys wrapped for you are not re-wrapped for your new key yet.", {
        reason: "unstaged",
        ids: [newRow.id],
        profile: false,
        sealed: [
          { kind: "emergency_scope", ref: "1" },
          { kind: "request_reason_patient", ref: REQUEST_ID },
        ],
      }),
    ]);
    // The browser still holds the old key: it stages the missing ones (old key = the key store's, still).
    const state = (await roseClient.get("/api/keys/rotation")).body as KeysBody & { sealed: Array<{ kind: string; ref: string; wrappedKey: string }> };
    const sealed = state.sealed.map((item) => ({ ...item, wrappedKey: bytesToBase64(wrapKey(unwrapKey(Buffer.from(item.wrappedKey, "base64"), keys.rose.secretKey), keys.rose2.publicKey)) }));
    const foreignSealed = await roseClient.put("/api/keys/rotation", {
      json: { oldPublicKey: keys.rose.publicKeyHex, newPublicKey: keys.rose2.publicKeyHex, keys: [], sealed: [{ ...sealed[0]!, kind: "request_reason_doctor" }] },
    });
    assert.deepEqual([foreignSealed.status, foreignSealed.body], [403, FOREIGN], "Rose is not the doctor of that request");
    const missing = await roseClient.put("/api/keys/rotation", {
      json: { oldPublicKey: keys.rose.publicKeyHex, newPublicKey: keys.rose2.publicKeyHex, keys: [{ id: newRow.id, wrappedKey: bytesToBase64(wrapKey(stored.dataKey, keys.rose2.publicKey)) }], sealed },
    });
    assert.deepEqual([missing.status, missing.body], [200, { newPublicKey: keys.rose2.publicKeyHex, staged: 3 }]);

    const done = await roseClient.post("/api/keys/rotation/complete", { json: { newPublicKey: keys.rose2.publicKeyHex } });
    assert.deepEqual([done.status, done.body], [200, { publicKey: keys.rose2.publicKeyHex, swapped: 3, profile: false }]);
    for (const row of await rowsOf(rose)) {
      assert.ok(opensWith(row.wrapped_key, keys.rose2.secretKey));
      assert.ok(!opensWith(row.wrapped_key, keys.rose.secretKey));
    }
    assert.deepEqual((await new ApiClient().get(`/api/keys/${rose}`)).body, { address: rose, publicKey: keys.rose2.publicKeyHex });
    const swappedSealed = await withDatabase(async (db) => ({
      scope: (await db.query<{ sealed_scope: Buffer }>("SELECT sealed_scope FROM emergency_configs WHERE patient = $1", [rose])).rows[0]!.sealed_scope,
      request: (await db.query<{ reason_key_patient: Buffer; reason_key_doctor: Buffer; encrypted_reason: Buffer }>("SELECT * FROM access_requests WHERE id = $1", [REQUEST_ID])).rows[0]!,
    }));
    assert.ok(opensWith(swappedSealed.scope.subarray(0, 81), keys.rose2.secretKey), "the emergency scope's key is re-wrapped");
    assert.ok(swappedSealed.scope.subarray(81).equals(TAIL), "the scope's ciphertext is unchanged");
    assert.ok(opensWith(swappedSealed.request.reason_key_patient, keys.rose2.secretKey), "the request reason's patient key is re-wrapped");
    assert.ok(opensWith(swappedSealed.request.reason_key_doctor, keys.vik.secretKey), "the doctor's copy is untouched");
    const again = await roseClient.post("/api/keys/rotation/complete", { json: { newPublicKey: keys.rose2.publicKeyHex } });
    assert.equal(again.status, 404);
    assert.deepEqual((await roseClient.delete("/api/keys/rotation")).body, { cancelled: false });
  });

  it("the granted doctor's key was not touched and still opens the shared record", async () => {
    const [row] = await rowsOf(vik);
    assert.ok(opensWith(row!.wrapped_key, keys.vik.secretKey));
  });
});

describe("doctor key rotation", () => {
  it("stages, refuses the swap until DoctorContract shows the key, then swaps the doctor's keys", async () => {
    const body = (await vikClient.get("/api/keys/rotation")).body as KeysBody & { sealed: Array<{ kind: string; ref: string; wrappedKey: string }> };
    assert.deepEqual(body.keys.map((key) => key.recordId), [records.one!.recordId]);
    assert.deepEqual(body.sealed.map(({ kind, ref }) => ({ kind, ref })), [{ kind: "request_reason_doctor", ref: REQUEST_ID }]);
    const sealed = body.sealed.map((item) => ({ ...item, wrappedKey: bytesToBase64(wrapKey(unwrapKey(Buffer.from(item.wrappedKey, "base64"), keys.vik.secretKey), keys.vik2.publicKey)) }));
    const staged = await vikClient.put("/api/keys/rotation", {
      json: { oldPublicKey: keys.vik.publicKeyHex, newPublicKey: keys.vik2.publicKeyHex, keys: rewrapAll(body, keys.vik.secretKey, keys.vik2.publicKey), sealed },
    });
    assert.deepEqual([staged.status, staged.body], [200, { newPublicKey: keys.vik2.publicKeyHex, staged: 1 }]);
    // The patient cannot stage the doctor's row, nor the doctor the patient's.
    const roseRows = await rowsOf(rose);
    const foreign = await vikClient.put("/api/keys/rotation", {
      json: { oldPublicKey: keys.vik.publicKeyHex, newPublicKey: keys.vik2.publicKeyHex, keys: [{ id: roseRows[0]!.id, wrappedKey: bytesToBase64(roseRows[0]!.wrapped_key) }] },
    });
    assert.deepEqual([foreign.status, foreign.body], [403, FOREIGN]);
    assert.equal((await vikClient.post("/api/keys/rotation/complete", { json: { newPublicKey: keys.vik2.publicKeyHex } })).status, 409);

    await setDoctorKey(vikAccount, keys.vik2.publicKeyHex);
    const done = await vikClient.post("/api/keys/rotation/complete", { json: { newPublicKey: keys.vik2.publicKeyHex } });
    assert.deepEqual([done.status, done.body], [200, { publicKey: keys.vik2.publicKeyHex, swapped: 1, profile: false }]);
    const [row] = await rowsOf(vik);
    assert.ok(opensWith(row!.wrapped_key, keys.vik2.secretKey));
    assert.deepEqual((await new ApiClient().get(`/api/keys/${vik}`)).body, { address: vik, publicKey: keys.vik2.publicKeyHex });
    const reasonKey = await withDatabase(async (db) => (await db.query<{ reason_key_doctor: Buffer }>("SELECT reason_key_doctor FROM access_requests WHERE id = $1", [REQUEST_ID])).rows[0]!.reason_key_doctor);
    assert.ok(opensWith(reasonKey, keys.vik2.secretKey), "the doctor's copy of the request reason is re-wrapped");
  });

  it("cancels an unfinished rotation that never reached the chain, and refuses to cancel one that did", async () => {
    const body = (await vikClient.get("/api/keys/rotation")).body as KeysBody;
    const vik3 = testKeys();
    const staged = await vikClient.put("/api/keys/rotation", { json: { oldPublicKey: keys.vik2.publicKeyHex, newPublicKey: vik3.publicKeyHex, keys: rewrapAll(body, keys.vik2.secretKey, vik3.publicKey) } });
    assert.equal(staged.status, 200);
    assert.deepEqual((await vikClient.delete("/api/keys/rotation")).body, { cancelled: true });
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM key_rotation_keys WHERE address = $1", [vik])).rowCount), 0);
  });
});

describe("re-encryption routes", () => {
  it("answer a doctor 403 (patients only), and another patient's or an unknown record the same 403", async () => {
    const own = records.two!.recordId;
    const doctor = await vikClient.get(`/api/records/reencrypt/${own}`);
    assert.equal(doctor.status, 403);
    const foreign = ((BigInt(vik) << 96n) + 0n).toString();
    const unknown = ((BigInt(rose) << 96n) + 999n).toString();
    for (const id of [foreign, unknown]) {
      for (const [method, path] of [["get", `/api/records/reencrypt/${id}`], ["post", `/api/records/reencrypt/${id}/retire`]] as const) {
        const answer = await roseClient[method](path);
        assert.deepEqual([answer.status, answer.body], [403, NOT_YOURS], `${method} ${path}`);
      }
    }
    const bad = await roseClient.get("/api/records/reencrypt/abc");
    assert.equal(bad.status, 422);
  });

  it("names who holds a key on a record; refuses to retire it before it is amended", async () => {
    const one = await roseClient.get(`/api/records/reencrypt/${records.one!.recordId}`);
    assert.deepEqual([one.status, one.body], [200, { recordId: records.one!.recordId, cid: records.one!.cid, supersededBy: "0", readers: [rose, vik].sort() }]);
    const early = await roseClient.post(`/api/records/reencrypt/${records.one!.recordId}/retire`);
    assert.deepEqual([early.status, early.body], [409, error("conflict", "The chain does not show this record amended yet, so its only copy is kept.")]);
  });

  it("retires the old version once the new one is amended on chain and confirmed: keys deleted, ciphertext gone", async () => {
    const old = records.one!;
    const fresh = await storeRecord([{ address: rose, publicKey: keys.rose2.publicKey }]);
    const receipt = await (await patientContract()).methods.amendRecord(old.recordId, fresh.cidDigest, fresh.codec).send({ from: roseAccount, gas: "3000000" });
    const amended = receipt.events?.RecordAmended;
    const newRecordId = BigInt((Array.isArray(amended) ? amended[0] : amended)!.returnValues.newRecordId as bigint).toString();
    const notYet = await roseClient.post(`/api/records/reencrypt/${old.recordId}/retire`);
    assert.deepEqual([notYet.status, notYet.body], [409, error("conflict", `The new version (record ${newRecordId}) is not confirmed in the key store yet, so the old one is kept.`)]);
    await confirm(fresh.uploadId, newRecordId);

    const retired = await roseClient.post(`/api/records/reencrypt/${old.recordId}/retire`);
    assert.deepEqual([retired.status, retired.body], [200, { recordId: old.recordId, newRecordId, deletedKeys: 2, cid: old.cid, unpinned: true }]);
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE record_id = $1", [old.recordId])).rowCount), 0);
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM records WHERE cid = $1 UNION ALL SELECT 1 FROM uploads WHERE cid = $1", [old.cid])).rowCount), 0);
    const content = await roseClient.fetch("GET", `/api/records/${old.recordId}/content`);
    assert.notEqual(content.status, 200);
    // The new version opens with the new data key; the old data key opens nothing.
    const next = await roseClient.fetch("GET", `/api/records/${newRecordId}/content`);
    const bytes = new Uint8Array(await next.arrayBuffer());
    assert.deepEqual(Buffer.from(await decryptBytes(fresh.dataKey, bytes)), Buffer.from(await decryptBytes(fresh.dataKey, fresh.ciphertext)));
    await assert.rejects(decryptBytes(old.dataKey, bytes));
    const again = await roseClient.post(`/api/records/reencrypt/${old.recordId}/retire`);
    assert.deepEqual([again.status, again.body], [403, NOT_YOURS]);
  });
});
