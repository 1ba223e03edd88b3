import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiClient, signedInClient } from "../support/api/api-client";
import { publicKeyFromHex } from "@/lib/crypto";
import { verifyAuditChain } from "@/lib/security/audit-chain";
import { addRecord, grantAccess, logAccess, revokeAccess } from "../support/api/chain";
import { ensureDoctor, ensurePatient } from "../support/api/chain-identities";
import { encryptedRecord, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Every key request (GET /api/records/:id/key, GET /api/emergency/records/:id/key), content request and
 * listing (POST /api/records/query), allowed or denied, leaves exactly one key_audit row naming the caller, the record, the action and the
 * outcome: none lost, none doubled, also under 20 and 200 parallel requests (the chain still verifies).
 * Accounts: 32 the patient, 31 a doctor (no grant, then granted, then logged), 34 a signed-in stranger (32 and
 * 31 are shared with crypto-faults.test.ts, which registers them the same way when it runs first).
 */
const stack = stackUnderTest();
const patientAccount = stack.accounts[32]!;
const doctorAccount = stack.accounts[31]!;
const strangerAccount = stack.accounts[34]!;
const patient = patientAccount.toLowerCase();
const doctor = doctorAccount.toLowerCase();
const stranger = strangerAccount.toLowerCase();
let patientKey: Uint8Array;
let doctorKeyHex: string;
const OCTETS = { "content-type": "application/octet-stream" };

let alice: ApiClient;
let dora: ApiClient;
let stan: ApiClient;
let recordId: string;
const unknownRecordId = () => ((BigInt(patient) << 96n) + 424_242n).toString();

interface AuditRow {
  actor: string;
  record_id: string;
  action: string;
  allowed: boolean;
  reason: string;
}

const lastSeq = () => withDatabase(async (db) => (await db.query<{ seq: string | null }>("SELECT max(seq)::text AS seq FROM key_audit")).rows[0]!.seq ?? "0");
/** The audit rows written after `since`, for these actors, in order. */
const rowsSince = (since: string, actors: string[]) =>
  withDatabase(
    async (db) =>
      (
        await db.query<AuditRow>(
          "SELECT actor, record_id::text AS record_id, action, allowed, reason FROM key_audit WHERE seq > $1 AND actor = ANY($2) ORDER BY seq",
          [since, actors],
        )
      ).rows,
  );

/** Runs `request` and returns its status and exactly the audit rows it wrote. */
async function audited(request: () => Promise<{ status: number }>, actors = [patient, doctor, stranger]) {
  const since = await lastSeq();
  const { status } = await request();
  return { status, rows: await rowsSince(since, actors) };
}

const row = (actor: string, action: string, allowed: boolean, reason: string, record = recordId): AuditRow => ({ actor, record_id: record, action, allowed, reason });

before(async () => {
  patientKey = publicKeyFromHex(await ensurePatient(patientAccount));
  doctorKeyHex = await ensureDoctor(doctorAccount, { name: "Dr Audit", specialty: "Records" });
  alice = await signedInClient(patientAccount);
  dora = await signedInClient(doctorAccount);
  stan = await signedInClient(strangerAccount);
  const record = await encryptedRecord(new Uint8Array(100).fill(9), [
    { address: patient, publicKey: patientKey },
  ]);
  const created = await alice.post("/api/uploads", {
    json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  const { uploadId } = created.body as { uploadId: string };
  const content = await alice.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  const stored = content.body as { cidDigest: string; codec: number };
  recordId = await addRecord(patientAccount, patientAccount, stored.cidDigest, stored.codec);
  assert.equal((await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
});

after(async () => {
  await revokeAccess(patientAccount, doctorAccount, [recordId]);
  for (const client of [alice, dora, stan]) await client.post("/api/auth/logout-all");
});

describe("exactly one audit row per key request, allowed or denied", () => {
  it("the patient's own key, content and listing: one allowed row each", async () => {
    assert.deepEqual(await audited(() => alice.get(`/api/records/${recordId}/key`)), { status: 200, rows: [row(patient, "key", true, "patient")] });
    assert.deepEqual(await audited(() => alice.fetch("GET", `/api/records/${recordId}/content`).then(async (r) => ({ status: r.status, body: await r.arrayBuffer() }))), {
      status: 200,
      rows: [row(patient, "content", true, "patient")],
    });
    assert.deepEqual(await audited(() => alice.post("/api/records/query", { json: { recordIds: [recordId] } })), { status: 200, rows: [row(patient, "query", true, "patient")] });
  });

  it("a stranger and a doctor without a grant: one refused row each, for a real and for an unknown record", async () => {
    for (const [client, actor] of [[stan, stranger], [dora, doctor]] as const) {
      for (const record of [recordId, unknownRecordId()]) {
        assert.deepEqual(await audited(() => client.get(`/api/records/${record}/key`)), { status: 403, rows: [row(actor, "key", false, "no_grant", record)] });
        assert.deepEqual(await audited(() => client.get(`/api/records/${record}/content`)), { status: 403, rows: [row(actor, "content", false, "no_grant", record)] });
      }
    }
  });

  it("a granted doctor before logging the access: refused (no_access_log) for the key, allowed for the listing; after logging: allowed", async () => {
    // The doctor's wrapped key is stored as the patient's browser does it before granting.
    const wrapped = (await encryptedRecord(new Uint8Array(1), [{ address: doctor, publicKey: publicKeyFromHex(doctorKeyHex) }])).wrappedKeys[0]!.wrappedKey;
    assert.equal((await dora.put("/api/keys/me", { json: { publicKey: doctorKeyHex } })).status, 200);
    assert.equal((await alice.put("/api/shares/keys", { json: { doctor, keys: [{ recordId, wrappedKey: wrapped }] } })).status, 200);
    await grantAccess(patientAccount, doctorAccount, [recordId]);
    assert.deepEqual(await audited(() => dora.get(`/api/records/${recordId}/key`)), { status: 403, rows: [row(doctor, "key", false, "no_access_log")] });
    assert.deepEqual(await audited(() => dora.post("/api/records/query", { json: { recordIds: [recordId] } })), { status: 200, rows: [row(doctor, "query", true, "grant")] });
    await logAccess(doctorAccount, recordId);
    assert.deepEqual(await audited(() => dora.get(`/api/records/${recordId}/key`)), { status: 200, rows: [row(doctor, "key", true, "grant")] });
    assert.deepEqual(await audited(() => dora.fetch("GET", `/api/records/${recordId}/content`).then(async (r) => ({ status: r.status, body: await r.arrayBuffer() }))), {
      status: 200,
      rows: [row(doctor, "content", true, "grant")],
    });
  });

  it("a listing of several ids writes one row per distinct id, whatever the outcome; repeating an id does not double it", async () => {
    const unknown = unknownRecordId();
    const answer = await audited(() => stan.post("/api/records/query", { json: { recordIds: [recordId, unknown, recordId] } }));
    assert.equal(answer.status, 200);
    assert.deepEqual(
      [...answer.rows].sort((a, b) => a.record_id.localeCompare(b.record_id)),
      [row(stranger, "query", false, "no_grant"), row(stranger, "query", false, "no_grant", unknown)].sort((a, b) => a.record_id.localeCompare(b.record_id)),
    );
  });

  it("20 parallel key requests, 10 allowed and 10 refused, write exactly 20 rows with the right outcomes", async () => {
    const since = await lastSeq();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? stan : dora).get(`/api/records/${recordId}/key`)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [...Array<number>(10).fill(200), ...Array<number>(10).fill(403)]);
    const rows = await rowsSince(since, [doctor, stranger]);
    assert.equal(rows.length, 20);
    assert.deepEqual(rows.filter((r) => r.actor === doctor), Array.from({ length: 10 }, () => row(doctor, "key", true, "grant")));
    assert.deepEqual(rows.filter((r) => r.actor === stranger), Array.from({ length: 10 }, () => row(stranger, "key", false, "no_grant")));
  });

  it("200 concurrent key requests (appends grouped into shared INSERTs): 200 answers, exactly one row each, the hash chain intact", async () => {
    const since = await lastSeq();
    const answers = await Promise.all(Array.from({ length: 200 }, () => dora.get(`/api/records/${recordId}/key`)));
    assert.deepEqual(answers.map((a) => a.status), Array<number>(200).fill(200));
    assert.deepEqual(await rowsSince(since, [doctor]), Array.from({ length: 200 }, () => row(doctor, "key", true, "grant")));
    const chain = await withDatabase((db) => verifyAuditChain(db));
    assert.ok(chain.ok, JSON.stringify(chain));
  });

  it("an emergency key or content request without emergency access: one refused row each, for a real and for an unknown record", async () => {
    for (const [client, actor] of [[stan, stranger], [dora, doctor]] as const) {
      for (const record of [recordId, unknownRecordId()]) {
        for (const action of ["key", "content"]) {
          assert.deepEqual(await audited(() => client.get(`/api/emergency/records/${record}/${action}`)), { status: 403, rows: [row(actor, action, false, "no_grant", record)] });
        }
      }
    }
  });

  it("a request that never names a record (malformed id, no session) writes no row: it is not a key request", async () => {
    assert.deepEqual(await audited(() => stan.get("/api/records/not-a-number/key")), { status: 422, rows: [] });
    const since = await lastSeq();
    const anonymous = await fetch(new URL(`/api/records/${recordId}/key`, stack.appUrl));
    assert.equal(anonymous.status, 401);
    assert.equal((await withDatabase(async (db) => (await db.query("SELECT 1 FROM key_audit WHERE seq > $1", [since])).rowCount)), 0);
  });
});
