import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type ApiAnswer, type ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Broken object-level authorization: every route that takes an id, called by another signed-in party with
 * the owner's id, answers exactly what it answers for an id that does not exist, and changes nothing.
 * Account 39 is the owner (registered as a patient here); 38 (signs in only, never registered) is the stranger.
 */
const stack = stackUnderTest();
const ownerAccount = stack.accounts[39]!;
const owner = ownerAccount.toLowerCase();
const keys = testKeys();
const OCTETS = { "content-type": "application/octet-stream" };

let alice: ApiClient;
let mallory: ApiClient;
let recordId: string;
let receivedUploadId: string;
let pendingUploadId: string;
let pendingCiphertext: Uint8Array;

async function upload(fill: number, withContent: boolean) {
  const record = await encryptedRecord(new Uint8Array(64).fill(fill), [{ address: owner, publicKey: keys.publicKey }]);
  const created = await alice.post("/api/uploads", {
    json: { patient: owner, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const uploadId = (created.body as { uploadId: string }).uploadId;
  if (!withContent) return { uploadId, record };
  const content = await alice.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  assert.equal(content.status, 200, JSON.stringify(content.body));
  return { uploadId, record, stored: content.body as { cid: string; cidDigest: string; codec: number } };
}

before(async () => {
  await registerPatient(ownerAccount, keys.publicKeyHex);
  alice = await signedInClient(ownerAccount);
  mallory = await signedInClient(stack.accounts[38]!);
  const confirmed = await upload(41, true);
  recordId = await addRecord(ownerAccount, ownerAccount, confirmed.stored!.cidDigest, confirmed.stored!.codec);
  assert.equal((await alice.post(`/api/uploads/${confirmed.uploadId}/confirm`, { json: { recordId } })).status, 200);
  receivedUploadId = (await upload(42, true)).uploadId;
  const pending = await upload(43, false);
  pendingUploadId = pending.uploadId;
  pendingCiphertext = pending.record.ciphertext;
});

after(async () => {
  // Leave no unconfirmed upload behind (the browser tests count them across the shared database).
  await alice.delete(`/api/uploads/${pendingUploadId}`);
  await alice.post("/api/auth/logout-all");
  await mallory.post("/api/auth/logout-all");
});

const unknownRecordId = () => ((BigInt(owner) << 96n) + 987_654n).toString();
const strip = (answer: ApiAnswer) => [answer.status, answer.body];

const cases: Array<{ name: string; call: (client: ApiClient, ids: { record: string; received: string; pending: string }) => Promise<ApiAnswer> }> = [
  { name: "GET /api/records/:id/key", call: (c, ids) => c.get(`/api/records/${ids.record}/key`) },
  { name: "GET /api/records/:id/content", call: (c, ids) => c.get(`/api/records/${ids.record}/content`) },
  { name: "DELETE /api/uploads/:id (received)", call: (c, ids) => c.delete(`/api/uploads/${ids.received}`) },
  { name: "DELETE /api/uploads/:id (pending)", call: (c, ids) => c.delete(`/api/uploads/${ids.pending}`) },
  { name: "PUT /api/uploads/:id/content", call: (c, ids) => c.put(`/api/uploads/${ids.pending}/content`, { body: pendingCiphertext, headers: OCTETS }) },
  { name: "POST /api/uploads/:id/confirm", call: (c, ids) => c.post(`/api/uploads/${ids.received}/confirm`, { json: { recordId: ids.record } }) },
];

describe("BOLA: another party's id answers like an unknown id", () => {
  for (const row of cases) {
    it(`${row.name}: 403 or 404, the same for a foreign and an unknown id`, async () => {
      const foreign = await row.call(mallory, { record: recordId, received: receivedUploadId, pending: pendingUploadId });
      const unknown = await row.call(mallory, { record: unknownRecordId(), received: randomUUID(), pending: randomUUID() });
      assert.ok([403, 404].includes(foreign.status), `${foreign.status} ${JSON.stringify(foreign.body)}`);
      assert.deepEqual(strip(foreign), strip(unknown));
    });
  }

  it("POST /api/records/query tells a stranger nothing about a foreign record that it does not tell about an unknown one", async () => {
    const foreign = await mallory.post("/api/records/query", { json: { recordIds: [recordId] } });
    const unknown = await mallory.post("/api/records/query", { json: { recordIds: [unknownRecordId()] } });
    assert.equal(foreign.status, 200);
    assert.deepEqual(JSON.stringify(foreign.body).replaceAll(recordId, "ID"), JSON.stringify(unknown.body).replaceAll(unknownRecordId(), "ID"));
  });

  it("the owner's objects are untouched and still work for the owner", async () => {
    assert.equal((await alice.get(`/api/records/${recordId}/key`)).status, 200);
    const content = await alice.put(`/api/uploads/${pendingUploadId}/content`, { body: pendingCiphertext, headers: OCTETS });
    assert.equal(content.status, 200, JSON.stringify(content.body));
    assert.equal((await alice.delete(`/api/uploads/${receivedUploadId}`)).status, 204);
  });

  it("every key request, allowed or refused, leaves exactly one audit row naming the caller and the outcome", async () => {
    const rows = (actor: string) =>
      withDatabase(async (db) => (await db.query<{ allowed: boolean; reason: string }>("SELECT allowed, reason FROM key_audit WHERE actor = $1 AND action = 'key' ORDER BY seq", [actor.toLowerCase()])).rows);
    const stranger = stack.accounts[38]!;
    const [ownerBefore, strangerBefore] = [(await rows(owner)).length, (await rows(stranger)).length];
    assert.equal((await alice.get(`/api/records/${recordId}/key`)).status, 200);
    assert.equal((await mallory.get(`/api/records/${recordId}/key`)).status, 403);
    assert.equal((await mallory.get(`/api/records/${unknownRecordId()}/key`)).status, 403);
    const ownerRows = (await rows(owner)).slice(ownerBefore);
    const strangerRows = (await rows(stranger)).slice(strangerBefore);
    assert.deepEqual(ownerRows, [{ allowed: true, reason: "patient" }]);
    assert.equal(strangerRows.length, 2);
    assert.ok(strangerRows.every((row) => row.allowed === false), JSON.stringify(strangerRows));
  });

  it("identity fields in the body are refused as unknown JSON fields, never used", async () => {
    const answer = await mallory.post("/api/records/query", { json: { recordIds: [recordId], address: owner } });
    assert.deepEqual([answer.status, (answer.body as { error: { code: string } }).error.code], [422, "invalid_input"]);
  });
});
