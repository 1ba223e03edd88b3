/**
 * Emergency access routes (app/api/emergency) against the running app, a real chain and a real database: every
 * refusal path of the opt-in, the key batches, the notes, the administrators' list and release, the doctor's
 * access and the per-record key and content release (hasEmergencyAccess at the latest block, a recent
 * RecordAccessed event, one key_audit row per decision), then deactivation, renewal and opting out (the end of the
 * window on the chain's clock is in the browser test).
 * Accounts 43 (patient) and 44 (doctor); 0 and 42 are the administrators (42 is removed again at the end).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Web3 } from "web3";
import { doctorContractAbi } from "@/lib/chain/generated/contracts";
import { base64ToBytes, bytesToBase64, encodeWrappedKey, encryptJson, generateKeyPair, publicKeyToHex, randomDataKey, unwrapKey, wrapKey } from "@/lib/crypto";
import { wrapRecordsAddedByOthers } from "@/lib/emergency/client/patient";
import { splitSecret, combineShares } from "@/lib/emergency/key-shares";
import { sealNote } from "@/lib/emergency/note";
import { openBytes, sealBytes } from "@/lib/emergency/seal";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, chainCanRead, deactivateDoctor, grantAccess, logAccess, reactivateDoctor, registerDoctor, registerPatient, revokeAccess, setDoctorKey } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
const lower = (account: string) => account.toLowerCase() as `0x${string}`;
const admin = lower(stack.accounts[0]!);
const secondAdmin = lower(stack.accounts[42]!);
const patient = lower(stack.accounts[43]!);
const doctor = lower(stack.accounts[44]!);
const OCTETS = { "content-type": "application/octet-stream" };
const GAS = { gas: "3000000" };
const ZERO = `0x${"0".repeat(64)}`;

const keys = { admin: testKeys(), secondAdmin: testKeys(), patient: testKeys(), doctor: testKeys() };
const clients = {} as Record<"admin" | "secondAdmin" | "patient" | "doctor" | "anonymous", ApiClient>;

async function doctorContract() {
  const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: Record<string, { address: string } | undefined> } };
  return new new Web3(stack.rpcUrl).eth.Contract(doctorContractAbi, health.chain.contracts.DoctorContract!.address);
}
type Contract = Awaited<ReturnType<typeof doctorContract>>;
let contract: Contract;

const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });
const forbidden = (reason: string, message: string) => error("forbidden", message, { reason });
const NO_ACCESS = forbidden("no_grant", "You have no emergency access to this patient's records.");
const auditCount = (actor: string) => withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM key_audit WHERE actor = $1", [actor])).rows[0]!.n));
const lastAudit = (actor: string) =>
  withDatabase(async (db) => (await db.query<{ action: string; allowed: boolean; reason: string }>("SELECT action, allowed, reason FROM key_audit WHERE actor = $1 ORDER BY seq DESC LIMIT 1", [actor])).rows[0]);
/** The newest audit row of `actor` with its record id (a release of shares is written on the patient's last record id). */
const lastAuditRow = (actor: string) =>
  withDatabase(
    async (db) =>
      (await db.query<{ record_id: string; action: string; allowed: boolean; reason: string }>("SELECT record_id::text AS record_id, action, allowed, reason FROM key_audit WHERE actor = $1 ORDER BY seq DESC LIMIT 1", [actor])).rows[0],
  );
/** The record id on which releases of a patient's emergency shares are audited: the patient's range, index 2^96 - 1. */
const sharesAuditId = (account: string) => ((BigInt(account) << 96n) | ((1n << 96n) - 1n)).toString();

/** A record of the patient stored through the API and the chain; its data key kept for the test. */
async function storeRecord() {
  const record = await encryptedRecord(randomBytes(300), [{ address: patient, publicKey: keys.patient.publicKey }]);
  const created = await clients.patient.post("/api/uploads", { json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await clients.patient.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  const { cidDigest, codec } = content.body as { cidDigest: string; codec: number };
  const recordId = await addRecord(patient, patient, cidDigest, codec);
  assert.equal((await clients.patient.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
  return { recordId, ...record };
}

/** The patient's browser side of an opt-in, done here: a new emergency key pair, one sealed share per administrator. */
function emergencyMaterial(version: number, sharesFor: Array<{ admin: string; publicKey: Uint8Array }>, threshold = 2) {
  const pair = generateKeyPair();
  return {
    pair,
    async body() {
      const shares = await splitSecret(pair.secretKey, sharesFor.length, threshold);
      return {
        keyVersion: version,
        publicKey: publicKeyToHex(pair.publicKey),
        sealedScope: bytesToBase64(randomBytes(120)),
        shares: sharesFor.map((entry, i) => ({ admin: entry.admin, sealedShare: bytesToBase64(sealBytes(shares[i]!, entry.publicKey)) })),
      };
    },
  };
}
const bothAdmins = () => [
  { admin, publicKey: keys.admin.publicKey },
  { admin: secondAdmin, publicKey: keys.secondAdmin.publicKey },
];

describe("emergency access routes", () => {
  let record: Awaited<ReturnType<typeof storeRecord>>;
  let material: ReturnType<typeof emergencyMaterial>;
  let requestId = "";

  before(async () => {
    contract = await doctorContract();
    if (!(await contract.methods.isAdmin(secondAdmin).call())) await contract.methods.addAdmin(secondAdmin).send({ from: admin, ...GAS });
    await contract.methods.setAdminEncryptionKey(keys.admin.publicKeyHex).send({ from: admin, ...GAS });
    await contract.methods.setAdminEncryptionKey(keys.secondAdmin.publicKeyHex).send({ from: secondAdmin, ...GAS });
    // Registered already when the adversarial emergency test ran first on this chain: the server checks no
    // wrapped key against the chain, so the keys below still serve.
    await registerPatient(patient, keys.patient.publicKeyHex).catch(() => undefined);
    await registerDoctor(admin, doctor, keys.doctor.publicKeyHex, { name: "Dr Ivo Urgent", specialty: "Intensive care" }).catch(() => setDoctorKey(doctor, keys.doctor.publicKeyHex));
    for (const [name, account] of [["admin", admin], ["secondAdmin", secondAdmin], ["patient", patient], ["doctor", doctor]] as const) clients[name] = await signedInClient(account);
    clients.anonymous = new ApiClient();
    record = await storeRecord();
  });
  after(async () => {
    if (contract && (await contract.methods.isAdmin(secondAdmin).call())) await contract.methods.removeAdmin(secondAdmin).send({ from: admin, ...GAS });
  });

  it("opt-in: refused for strangers, a wrong version, missing, foreign or duplicate administrators and unknown fields; then stored", async () => {
    material = emergencyMaterial(1, bothAdmins());
    const body = await material.body();
    const cases: Array<[string, ApiClient, unknown, number, string?]> = [
      ["not signed in", clients.anonymous, body, 401],
      ["a doctor is not a patient", clients.doctor, body, 403, "Only a registered patient may do this."],
      ["unknown field", clients.patient, { ...body, extra: 1 }, 422],
      ["malformed public key", clients.patient, { ...body, publicKey: "0x12" }, 422],
      ["a version the chain is not at", clients.patient, { ...body, keyVersion: 5 }, 409],
      ["one administrator missing", clients.patient, { ...body, shares: body.shares.slice(0, 1) }, 422],
      ["a share for a non-administrator", clients.patient, { ...body, shares: [body.shares[0], { ...body.shares[1]!, admin: doctor }] }, 422],
      ["two shares for one administrator", clients.patient, { ...body, shares: [body.shares[0], body.shares[0]] }, 422],
    ];
    for (const [name, client, json, status, message] of cases) {
      const answer = await client.put("/api/emergency/enrolment", { json });
      assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
      if (message) assert.equal((answer.body as { error: { message: string } }).error.message, message, name);
    }
    assert.equal((await clients.patient.put("/api/emergency/enrolment", { json: body })).status, 200);
    // Nothing is live before the chain has the version.
    assert.deepEqual((await clients.patient.get("/api/emergency/enrolment")).body, { enrolment: null });
  });

  it("keys: refused for another patient's record, an unknown version and empty batches; then stored and the key goes on chain", async () => {
    const wrapped = encodeWrappedKey(wrapKey(record.dataKey, material.pair.publicKey));
    const foreign = `${BigInt(admin) << 96n}`;
    const cases: Array<[string, ApiClient, unknown, number]> = [
      ["a doctor", clients.doctor, { keyVersion: 1, keys: [{ recordId: record.recordId, wrappedKey: wrapped }] }, 403],
      ["another patient's record", clients.patient, { keyVersion: 1, keys: [{ recordId: foreign, wrappedKey: wrapped }] }, 403],
      ["a version with no stored opt-in", clients.patient, { keyVersion: 2, keys: [{ recordId: record.recordId, wrappedKey: wrapped }] }, 409],
      ["no keys", clients.patient, { keyVersion: 1, keys: [] }, 422],
      ["a short wrapped key", clients.patient, { keyVersion: 1, keys: [{ recordId: record.recordId, wrappedKey: "AAAA" }] }, 422],
      ["duplicate records", clients.patient, { keyVersion: 1, keys: [{ recordId: record.recordId, wrappedKey: wrapped }, { recordId: record.recordId, wrappedKey: wrapped }] }, 422],
    ];
    for (const [name, client, json, status] of cases) assert.equal((await client.put("/api/emergency/keys", { json })).status, status, name);
    assert.deepEqual((await clients.patient.put("/api/emergency/keys", { json: { keyVersion: 1, keys: [{ recordId: record.recordId, wrappedKey: wrapped }] } })).body, { stored: 1 });
    await contract.methods.setEmergencyKey(publicKeyToHex(material.pair.publicKey), 2).send({ from: patient, ...GAS });
    const stored = (await clients.patient.get("/api/emergency/enrolment")).body as { enrolment: { keyVersion: number; records: number } };
    assert.equal(stored.enrolment.keyVersion, 1);
    assert.equal(stored.enrolment.records, 1);
  });

  it("records a doctor added are listed for the patient's browser, which wraps those in the patient's scope; the patient's own are never listed", async () => {
    // Rows as a doctor's confirmed upload leaves them (record + the data key wrapped for the patient), at the top of
    // the patient's id range: the listing, the patient's query and the key batch read the key store and the id's
    // patient bits, not the chain.
    const top = (below: bigint) => ((BigInt(patient) << 96n) | ((1n << 96n) - below)).toString();
    const [lab, imaging, own] = [top(2n), top(3n), top(4n)];
    const store = async (recordId: string, uploader: string, category: string) => {
      const dataKey = randomDataKey();
      const metadata = encryptJson(dataKey, {
        ...{ version: 1, title: "Added by a doctor", hospital: "St Test", reason: "Follow-up", admissionDate: "2026-01-01", dischargeDate: "2026-01-02" },
        ...{ category, fileName: "added.pdf", size: 1, sha256: "0".repeat(64), mimeType: "application/pdf" },
      });
      await withDatabase(async (db) => {
        await db.query("INSERT INTO records (record_id, cid, patient, uploader, size, encrypted_metadata) VALUES ($1, $2, $3, $4, 1, $5)", [recordId, `test-added-${recordId}`, patient, uploader, Buffer.from(metadata)]);
        await db.query("INSERT INTO wrapped_keys (record_id, recipient, wrapped_key, status) VALUES ($1, $2, $3, 'confirmed')", [recordId, patient, Buffer.from(wrapKey(dataKey, keys.patient.publicKey))]);
      });
      return dataKey;
    };
    const listed = async () => ((await clients.patient.get("/api/emergency/enrolment")).body as { enrolment: { addedByOthers: string[] } }).enrolment.addedByOthers;
    assert.deepEqual(await listed(), []);
    const labKey = await store(lab, doctor, "lab-result");
    await store(imaging, doctor, "imaging");
    await store(own, patient, "lab-result");
    const nodeFetch = globalThis.fetch;
    try {
      assert.deepEqual(await listed(), [lab, imaging], "the doctor's records, newest first; the patient's own records are wrapped as they upload them");
      // The patient's browser (lib/emergency/client/patient.ts), its relative API calls sent with the patient's cookie.
      globalThis.fetch = ((input: RequestInfo | URL, init: RequestInit = {}) => {
        if (typeof input !== "string" || !input.startsWith("/")) return nodeFetch(input, init);
        const headers = new Headers(init.headers);
        headers.set("cookie", clients.patient.cookie!);
        headers.set("origin", stack.appUrl);
        return nodeFetch(new URL(input, stack.appUrl), { ...init, headers });
      }) as typeof fetch;
      const unlocked = { address: patient, publicKey: keys.patient.publicKey, publicKeyHex: keys.patient.publicKeyHex, secretKey: keys.patient.secretKey };
      const emergency = { version: 1, publicKey: publicKeyToHex(material.pair.publicKey) };
      const wrapped = await wrapRecordsAddedByOthers(unlocked, emergency, { kind: "categories", categories: ["lab-result"] }, await listed());
      assert.equal(wrapped, 1, "only the lab result is in the scope");
      assert.deepEqual(await listed(), [imaging], "the one out of scope stays listed (the server cannot tell scope)");
      const stored = await withDatabase(async (db) => (await db.query<{ wrapped_key: Buffer }>("SELECT wrapped_key FROM emergency_wrapped_keys WHERE record_id = $1 AND key_version = 1", [lab])).rows[0]);
      assert.ok(stored);
      assert.deepEqual(unwrapKey(new Uint8Array(stored.wrapped_key), material.pair.secretKey), labKey, "the emergency key opens the lab result's data key");
    } finally {
      globalThis.fetch = nodeFetch;
      await withDatabase((db) => db.query("DELETE FROM records WHERE record_id = ANY($1::numeric[])", [[lab, imaging, own]]));
    }
  });

  it("notes: only the requesting doctor, only with the hash on chain, only for the patient and administrators", async () => {
    const note = sealNote("Found unconscious", [
      { address: patient, publicKey: keys.patient.publicKey },
      { address: admin, publicKey: keys.admin.publicKey },
      { address: secondAdmin, publicKey: keys.secondAdmin.publicKey },
    ]);
    await contract.methods.requestEmergencyAccess(patient, 1, note.noteHash).send({ from: doctor, ...GAS });
    requestId = String((await contract.methods.emergencyAccessOf(doctor, patient).call()).requestId);
    const notes = { notes: note.sealed };
    const other = sealNote("Something else", [{ address: patient, publicKey: keys.patient.publicKey }]);
    const notYours = error("forbidden", "This is not your emergency request.");
    const cases: Array<[string, ApiClient, string, unknown, number, unknown?]> = [
      ["the patient is not a doctor", clients.patient, requestId, notes, 403],
      ["an unknown request: the same answer as another doctor's", clients.doctor, "999999", notes, 403, notYours],
      ["a malformed id", clients.doctor, "0x1", notes, 422],
      ["a note that is not the one hashed on chain", clients.doctor, requestId, { notes: other.sealed }, 422],
      ["a reader who is neither the patient nor an administrator", clients.doctor, requestId, { notes: [{ ...note.sealed[0]!, recipient: doctor }] }, 422],
      ["unknown field", clients.doctor, requestId, { ...notes, extra: true }, 422],
    ];
    for (const [name, client, id, json, status, body] of cases) {
      const answer = await client.put(`/api/emergency/requests/${id}/notes`, { json });
      assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
      if (body) assert.deepEqual(answer.body, body, name);
    }
    assert.deepEqual((await clients.doctor.put(`/api/emergency/requests/${requestId}/notes`, { json: notes })).body, { stored: 3 });
  });

  it("administrators: the pending list is theirs only, with their own share and note; a release is refused for unknown ids and closed requests", async () => {
    assert.equal((await clients.doctor.get("/api/emergency/requests")).status, 403);
    assert.equal((await clients.patient.get("/api/emergency/requests")).status, 403);
    const list = (await clients.admin.get("/api/emergency/requests")).body as { requests: Array<{ requestId: string; sealedShare: string | null; sealedNote: string | null; approvals: number; threshold: number; patient: string }> };
    const entry = list.requests.find((request) => request.requestId === requestId);
    assert.ok(entry, "the request is pending");
    assert.equal(entry.patient, patient);
    assert.equal(entry.threshold, 2);
    const myShare = openBytes(base64ToBytes(entry.sealedShare!), keys.admin.secretKey);
    assert.equal(myShare.length, 33, "the administrator's own Shamir share opens with their key");
    assert.throws(() => openBytes(base64ToBytes(entry.sealedShare!), keys.secondAdmin.secretKey), "and with no other administrator's");

    const sealed = bytesToBase64(sealBytes(myShare, keys.doctor.publicKey));
    const refused = error("forbidden", "You cannot release a share for this request.");
    const cases: Array<[string, ApiClient, string, unknown, number, unknown?]> = [
      ["a doctor", clients.doctor, requestId, { sealedShare: sealed }, 403],
      ["an unknown request", clients.admin, "424242", { sealedShare: sealed }, 403, refused],
      ["unknown field", clients.admin, requestId, { sealedShare: sealed, more: 1 }, 422],
      ["not base64", clients.admin, requestId, { sealedShare: "***" }, 422],
    ];
    for (const [name, client, id, json, status, body] of cases) {
      const answer = await client.put(`/api/emergency/requests/${id}/release`, { json });
      assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
      if (body) assert.deepEqual(answer.body, body, name);
    }
    assert.equal((await clients.admin.put(`/api/emergency/requests/${requestId}/release`, { json: { sealedShare: sealed } })).status, 200);
  });

  it("the doctor: no shares, no key and no content below the threshold, each refusal audited once", async () => {
    // A released share whose approval is not on chain is not served; the refusal is audited.
    const beforeShares = await auditCount(doctor);
    assert.deepEqual((await clients.doctor.get(`/api/emergency/patients/${patient}`)).body, NO_ACCESS);
    assert.equal(await auditCount(doctor), beforeShares + 1, "one audit row for the refused release of shares");
    assert.deepEqual(await lastAuditRow(doctor), { record_id: sharesAuditId(patient), action: "key", allowed: false, reason: "no_grant" });
    await contract.methods.approveEmergencyAccess(requestId).send({ from: admin, ...GAS });
    // Approved on chain: this administrator's released share is final (no swap after the approval).
    const swapped = bytesToBase64(sealBytes(randomBytes(33), keys.doctor.publicKey));
    assert.deepEqual((await clients.admin.put(`/api/emergency/requests/${requestId}/release`, { json: { sealedShare: swapped } })).body, error("conflict", "You have approved this request; the share you released cannot be replaced."));
    const before = await auditCount(doctor);
    for (const path of [`/api/emergency/records/${record.recordId}/key`, `/api/emergency/records/${record.recordId}/content`]) {
      const answer = await clients.doctor.get(path);
      assert.equal(answer.status, 403, path);
      assert.deepEqual(answer.body, NO_ACCESS, path);
    }
    assert.equal(await auditCount(doctor), before + 2, "one audit row per refusal");
    assert.deepEqual(await lastAudit(doctor), { action: "content", allowed: false, reason: "no_grant" });
    assert.equal((await clients.patient.get(`/api/emergency/patients/${patient}`)).status, 403, "a patient is no doctor");
    assert.equal((await clients.doctor.get("/api/emergency/patients/0x12")).status, 422);
  });

  it("the second approval opens it: two shares rebuild the key; the record needs a logged access first; every release audited", async () => {
    const list = (await clients.secondAdmin.get("/api/emergency/requests")).body as { requests: Array<{ requestId: string; sealedShare: string }> };
    const entry = list.requests.find((request) => request.requestId === requestId)!;
    const share = openBytes(base64ToBytes(entry.sealedShare), keys.secondAdmin.secretKey);
    assert.equal((await clients.secondAdmin.put(`/api/emergency/requests/${requestId}/release`, { json: { sealedShare: bytesToBase64(sealBytes(share, keys.doctor.publicKey)) } })).status, 200);
    await contract.methods.approveEmergencyAccess(requestId).send({ from: secondAdmin, ...GAS });
    // A closed request takes no more shares, and a share on chain cannot be withdrawn.
    assert.equal((await clients.secondAdmin.put(`/api/emergency/requests/${requestId}/release`, { json: { sealedShare: entry.sealedShare } })).status, 409);
    assert.equal((await clients.secondAdmin.delete(`/api/emergency/requests/${requestId}/release`)).status, 409);

    const beforeShares = await auditCount(doctor);
    const access = (await clients.doctor.get(`/api/emergency/patients/${patient}`)).body as { shares: Array<{ sealedShare: string }>; recordIds: string[]; publicKey: string; threshold: number };
    assert.equal(await auditCount(doctor), beforeShares + 1, "one audit row for the release of shares");
    assert.deepEqual(await lastAuditRow(doctor), { record_id: sharesAuditId(patient), action: "key", allowed: true, reason: "emergency" });
    assert.equal(access.shares.length, 2);
    assert.deepEqual(access.recordIds, [record.recordId]);
    const secret = await combineShares(access.shares.map((entry) => openBytes(base64ToBytes(entry.sealedShare), keys.doctor.secretKey)));
    assert.deepEqual(secret, material.pair.secretKey, "the doctor's browser rebuilds the emergency key");

    const before = await auditCount(doctor);
    const notLogged = await clients.doctor.get(`/api/emergency/records/${record.recordId}/key`);
    assert.deepEqual(notLogged.body, forbidden("no_access_log", "Log this access on chain first."));
    await logAccess(doctor, record.recordId);
    const key = (await clients.doctor.get(`/api/emergency/records/${record.recordId}/key`)).body as { wrappedKey: string };
    assert.deepEqual(unwrapKey(base64ToBytes(key.wrappedKey), secret), record.dataKey);
    const content = await clients.doctor.fetch("GET", `/api/emergency/records/${record.recordId}/content`);
    assert.equal(content.status, 200);
    assert.ok(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(record.ciphertext)));
    assert.equal(await auditCount(doctor), before + 3);
    assert.deepEqual(await lastAudit(doctor), { action: "content", allowed: true, reason: "emergency" });
    // The normal key route still says no: emergency access is not a grant.
    assert.equal((await clients.doctor.get(`/api/records/${record.recordId}/key`)).status, 403);
  });

  it("a revoked doctor's shared keys are pruned even while their emergency window makes canRead true", async () => {
    await grantAccess(patient, doctor, [record.recordId]);
    assert.equal((await clients.doctor.put("/api/keys/me", { json: { publicKey: keys.doctor.publicKeyHex } })).status, 200);
    const shared = await clients.patient.put("/api/shares/keys", { json: { doctor, keys: [{ recordId: record.recordId, wrappedKey: bytesToBase64(wrapKey(record.dataKey, keys.doctor.publicKey)) }] } });
    assert.deepEqual(shared.body, { stored: 1 });
    assert.deepEqual((await clients.patient.post("/api/shares/prune", { json: { doctor } })).body, { deleted: 0 }, "granted: kept");
    await revokeAccess(patient, doctor, [record.recordId]);
    assert.equal(await chainCanRead(doctor, record.recordId), true, "the emergency window still lets the doctor read");
    assert.deepEqual((await clients.patient.post("/api/shares/prune", { json: { doctor } })).body, { deleted: 1 }, "revoked: pruned, the emergency window notwithstanding");
    const left = await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE recipient = $1 AND record_id = $2::numeric", [doctor, record.recordId])).rowCount);
    assert.equal(left, 0);
  });

  it("the patient's log names the doctor, reason, approvers and the opening; nobody else reads it", async () => {
    assert.equal((await clients.doctor.get("/api/emergency/log")).status, 403);
    assert.equal((await clients.anonymous.get("/api/emergency/log")).status, 401);
    const log = (await clients.patient.get("/api/emergency/log")).body as { entries: Array<{ requestId: string; state: string; approvers: string[]; reasonCode: number; doctorName: string; openings: Array<{ recordId: string }> }> };
    const entry = log.entries.find((candidate) => candidate.requestId === requestId)!;
    assert.equal(entry.state, "approved");
    assert.equal(entry.reasonCode, 1);
    assert.equal(entry.doctorName, "Dr Ivo Urgent");
    assert.deepEqual(entry.approvers.sort(), [admin, secondAdmin].sort());
    assert.deepEqual(entry.openings.map((opening) => opening.recordId), [record.recordId]);
  });

  it("a deactivated doctor is refused at once; reactivated, the window still holds", async () => {
    await deactivateDoctor(admin, doctor);
    assert.deepEqual((await clients.doctor.get(`/api/emergency/records/${record.recordId}/key`)).body, forbidden("inactive", "Your doctor account is deactivated."));
    await reactivateDoctor(admin, doctor);
    await logAccess(doctor, record.recordId);
    assert.equal((await clients.doctor.get(`/api/emergency/records/${record.recordId}/key`)).status, 200);
  });

  it("renewing the emergency key ends the window: the old request opens nothing", async () => {
    const renewed = emergencyMaterial(2, bothAdmins());
    assert.equal((await clients.patient.put("/api/emergency/enrolment", { json: await renewed.body() })).status, 200);
    await contract.methods.setEmergencyKey(publicKeyToHex(renewed.pair.publicKey), 2).send({ from: patient, ...GAS });
    assert.deepEqual((await clients.doctor.get(`/api/emergency/records/${record.recordId}/key`)).body, NO_ACCESS);
    assert.deepEqual((await clients.doctor.get(`/api/emergency/patients/${patient}`)).body, NO_ACCESS);
    // The old version's keys are not the new version's: nothing is wrapped for version 2 yet.
    assert.equal(((await clients.patient.get("/api/emergency/enrolment")).body as { enrolment: { records: number } }).enrolment.records, 0);
  });

  it("an administrator's new key orphans the share sealed for the old one: the patient is asked to renew; the old key back, the prompt goes", async () => {
    const orphaned = async () => ((await clients.patient.get("/api/emergency/enrolment")).body as { enrolment: { orphanedShares: string[] } }).enrolment.orphanedShares;
    assert.deepEqual(await orphaned(), []);
    await contract.methods.setAdminEncryptionKey(testKeys().publicKeyHex).send({ from: secondAdmin, ...GAS });
    assert.deepEqual(await orphaned(), [secondAdmin], "the second administrator's share was sealed for their old key");
    await contract.methods.setAdminEncryptionKey(keys.secondAdmin.publicKeyHex).send({ from: secondAdmin, ...GAS });
    assert.deepEqual(await orphaned(), [], "their key is again the one the share was sealed for");
  });

  it("a new request approved by both opens the patient's records until the patient opts out: then nothing", async () => {
    await contract.methods.requestEmergencyAccess(patient, 2, ZERO).send({ from: doctor, ...GAS });
    const id = String((await contract.methods.emergencyAccessOf(doctor, patient).call()).requestId);
    for (const [who, from] of [["admin", admin], ["secondAdmin", secondAdmin]] as const) {
      const entry = ((await clients[who].get("/api/emergency/requests")).body as { requests: Array<{ requestId: string; sealedShare: string }> }).requests.find((request) => request.requestId === id)!;
      const share = openBytes(base64ToBytes(entry.sealedShare), keys[who].secretKey);
      assert.equal((await clients[who].put(`/api/emergency/requests/${id}/release`, { json: { sealedShare: bytesToBase64(sealBytes(share, keys.doctor.publicKey)) } })).status, 200);
      await contract.methods.approveEmergencyAccess(id).send({ from, ...GAS });
    }
    assert.equal((await clients.doctor.get(`/api/emergency/patients/${patient}`)).status, 200);
    // An administrator holding a share removed: the patient is asked to renew (42 is removed at the end anyway).
    await contract.methods.removeAdmin(secondAdmin).send({ from: admin, ...GAS });
    assert.deepEqual(((await clients.patient.get("/api/emergency/enrolment")).body as { enrolment: { orphanedShares: string[] } }).enrolment.orphanedShares, [secondAdmin]);
    await contract.methods.clearEmergencyKey().send({ from: patient, ...GAS });
    assert.deepEqual((await clients.doctor.get(`/api/emergency/patients/${patient}`)).body, NO_ACCESS);
    assert.deepEqual((await clients.patient.get("/api/emergency/enrolment")).body, { enrolment: null });
    // (The window's end on the chain's clock is in test/e2e/emergency.test.ts: moving this shared chain's clock
    // here would put later files' short expiries in the chain's past.)
  });
});
