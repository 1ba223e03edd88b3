import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, registerDoctor, registerPatient } from "../support/api/chain";
import { ensureDoctor } from "../support/api/chain-identities";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Broken object-level authorization, for every route under app/api that takes an id (in its path or its body)
 * and every role: another patient, a doctor without a grant, an administrator and a signed-in stranger each
 * get, for the owner's id, exactly the bytes they get for an id that does not exist (a 403 or 404), and change
 * nothing. Identity fields in headers change no answer; identity (or any unknown) fields in bodies are 422.
 * Accounts: 35 owner (patient), 60 another patient, 33 a doctor (no grant), 34 a stranger, 0 the admin; 31 is
 * the doctor who owns an access request to the owner (shared with audit-rows and crypto-faults: ensureDoctor).
 */
const stack = stackUnderTest();
const ownerAccount = stack.accounts[35]!;
const owner = ownerAccount.toLowerCase();
const keys = { owner: testKeys(), other: testKeys(), doctor: testKeys() };
const OCTETS = { "content-type": "application/octet-stream" };

type Party = "patient" | "doctor" | "admin" | "stranger";
let alice: ApiClient;
const parties = {} as Record<Party, ApiClient>;
let recordId: string;
let receivedUploadId: string;
let pendingUploadId: string;
let pendingCiphertext: Uint8Array;
/** A pending access request from doctor 31 to the owner, and doctor 31's client. */
let accessRequestId: string;
let requester: ApiClient;
/** The owner's wrapped key on their record (its row id), and each party's key in the key store (for key rotation). */
let ownerWrappedKeyId: string;
const storedKeyOf = new Map<ApiClient, string>();

async function upload(fill: number, withContent: boolean) {
  const record = await encryptedRecord(new Uint8Array(64).fill(fill), [{ address: owner, publicKey: keys.owner.publicKey }]);
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
  const admin = stack.accounts[0]!;
  await registerPatient(ownerAccount, keys.owner.publicKeyHex);
  await registerPatient(stack.accounts[60]!, keys.other.publicKeyHex);
  await registerDoctor(admin, stack.accounts[33]!, keys.doctor.publicKeyHex, { name: "Dr Bola", specialty: "Adversarial" });
  alice = await signedInClient(ownerAccount);
  parties.patient = await signedInClient(stack.accounts[60]!);
  parties.doctor = await signedInClient(stack.accounts[33]!);
  parties.admin = await signedInClient(admin);
  parties.stranger = await signedInClient(stack.accounts[34]!);
  assert.equal((await parties.doctor.put("/api/keys/me", { json: { publicKey: keys.doctor.publicKeyHex } })).status, 200);
  const confirmed = await upload(51, true);
  recordId = await addRecord(ownerAccount, ownerAccount, confirmed.stored!.cidDigest, confirmed.stored!.codec);
  assert.equal((await alice.post(`/api/uploads/${confirmed.uploadId}/confirm`, { json: { recordId } })).status, 200);
  receivedUploadId = (await upload(52, true)).uploadId;
  const pending = await upload(53, false);
  pendingUploadId = pending.uploadId;
  pendingCiphertext = pending.record.ciphertext;
  await ensureDoctor(stack.accounts[31]!, { name: "Dr Audit", specialty: "Records" });
  requester = await signedInClient(stack.accounts[31]!);
  const asked = await requester.post("/api/access-requests", {
    json: { patient: owner, allRecords: true, categories: [], proposedExpiry: 0, encryptedReason: "AAAA", reasonKeys: { patient: "A".repeat(108), doctor: "A".repeat(108) } },
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  accessRequestId = (asked.body as { id: string }).id;
  ownerWrappedKeyId = await withDatabase(
    async (db) => (await db.query<{ id: string }>("SELECT id::text AS id FROM wrapped_keys WHERE recipient = $1 AND record_id = $2", [owner, recordId])).rows[0]!.id,
  );
  assert.equal((await parties.patient.put("/api/keys/me", { json: { publicKey: keys.other.publicKeyHex } })).status, 200);
  storedKeyOf.set(parties.patient, keys.other.publicKeyHex.toLowerCase());
  storedKeyOf.set(parties.doctor, keys.doctor.publicKeyHex.toLowerCase());
});

after(async () => {
  // Leave no unconfirmed upload behind (the browser tests count them across the shared database).
  await alice.delete(`/api/uploads/${pendingUploadId}`);
  await alice.delete(`/api/uploads/${receivedUploadId}`);
  await requester.post(`/api/access-requests/${accessRequestId}/withdraw`);
  for (const party of ["patient", "doctor"] as const) await parties[party].delete("/api/keys/rotation");
  await requester.post("/api/auth/logout-all");
  await alice.post("/api/auth/logout-all");
  for (const party of ["patient", "doctor", "stranger"] as const) await parties[party].post("/api/auth/logout-all");
  await parties.admin.post("/api/auth/logout"); // only this session: other test files sign the admin in too
});

interface Ids {
  record: string;
  received: string;
  pending: string;
  /** An access request (uuid). */
  request: string;
  /** An emergency request id on chain (none exists in this file: both answers must still agree). */
  emergency: string;
  /** A wrapped_keys row id (key rotation stages new keys by these ids). */
  wrappedKey: string;
  /** An account address that owns things (the owner) or one that owns nothing. */
  address: string;
}
const ownerIds = (): Ids => ({ record: recordId, received: receivedUploadId, pending: pendingUploadId, request: accessRequestId, emergency: "1", wrappedKey: ownerWrappedKeyId, address: owner });
const unknownIds = (): Ids => ({
  record: ((BigInt(owner) << 96n) + 987_654n).toString(),
  received: randomUUID(),
  pending: randomUUID(),
  request: randomUUID(),
  emergency: "987654321",
  wrappedKey: "987654321",
  address: `0x${"5a".repeat(20)}`,
});

/** The answer as bytes: status, content type and body text, with the ids of the call replaced by placeholders. */
async function raw(client: ApiClient, method: string, path: string, ids: Ids, init: { json?: unknown; body?: Uint8Array; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  let body: BodyInit | undefined = init.body as BodyInit | undefined;
  if (init.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.json);
  }
  const response = await client.fetch(method, path, { headers, body });
  let text = await response.text();
  // Short values ("1") would match unrelated digits; none of them is echoed by any route.
  for (const [name, value] of Object.entries(ids)) if (value.length >= 8) text = text.replaceAll(value, `<${name}>`);
  return { status: response.status, contentType: response.headers.get("content-type"), text };
}

/**
 * `listing`: the route answers 200 with the ids it may not serve named as unavailable (the same for foreign and
 * unknown). `statuses`: the answers allowed besides 403 and 404 (still the same bytes for both ids).
 */
const routes: Array<{ name: string; listing?: true; statuses?: number[]; call: (client: ApiClient, ids: Ids, headers?: Record<string, string>) => ReturnType<typeof raw> }> = [
  { name: "GET /api/records/:id/key", call: (c, ids, h) => raw(c, "GET", `/api/records/${ids.record}/key`, ids, { headers: h }) },
  { name: "GET /api/records/:id/content", call: (c, ids, h) => raw(c, "GET", `/api/records/${ids.record}/content`, ids, { headers: h }) },
  { name: "DELETE /api/uploads/:id (received)", call: (c, ids, h) => raw(c, "DELETE", `/api/uploads/${ids.received}`, ids, { headers: h }) },
  { name: "DELETE /api/uploads/:id (pending)", call: (c, ids, h) => raw(c, "DELETE", `/api/uploads/${ids.pending}`, ids, { headers: h }) },
  {
    name: "PUT /api/uploads/:id/content",
    call: (c, ids, h) => raw(c, "PUT", `/api/uploads/${ids.pending}/content`, ids, { body: pendingCiphertext, headers: { ...OCTETS, ...h } }),
  },
  { name: "POST /api/uploads/:id/confirm", call: (c, ids, h) => raw(c, "POST", `/api/uploads/${ids.received}/confirm`, ids, { json: { recordId: ids.record }, headers: h }) },
  { name: "POST /api/records/query (record ids in the body)", listing: true, call: (c, ids, h) => raw(c, "POST", "/api/records/query", ids, { json: { recordIds: [ids.record] }, headers: h }) },
  {
    name: "PUT /api/shares/keys (record ids in the body)",
    call: (c, ids, h) =>
      raw(c, "PUT", "/api/shares/keys", ids, { json: { doctor: stack.accounts[33]!.toLowerCase(), keys: [{ recordId: ids.record, wrappedKey: "A".repeat(108) }] }, headers: h }),
  },
  {
    name: "POST /api/shares/prune (record ids in the body)",
    call: (c, ids, h) => raw(c, "POST", "/api/shares/prune", ids, { json: { doctor: stack.accounts[33]!.toLowerCase(), recordIds: [ids.record] }, headers: h }),
  },
  {
    name: "POST /api/uploads (the patient in the body)",
    call: (c, ids, h) =>
      raw(c, "POST", "/api/uploads", ids, {
        json: { patient: ids.address, size: 1000, encryptedMetadata: "AAAA", wrappedKeys: [{ recipient: ids.address, wrappedKey: "A".repeat(108) }] },
        headers: h,
      }),
  },
  // Access requests (the owner's pending request from doctor 31).
  { name: "POST /api/access-requests/:id/approve", call: (c, ids, h) => raw(c, "POST", `/api/access-requests/${ids.request}/approve`, ids, { headers: h }) },
  { name: "POST /api/access-requests/:id/decline", call: (c, ids, h) => raw(c, "POST", `/api/access-requests/${ids.request}/decline`, ids, { headers: h }) },
  { name: "POST /api/access-requests/:id/withdraw", call: (c, ids, h) => raw(c, "POST", `/api/access-requests/${ids.request}/withdraw`, ids, { headers: h }) },
  // Emergency access (nobody holds any here).
  { name: "GET /api/emergency/records/:id/key", call: (c, ids, h) => raw(c, "GET", `/api/emergency/records/${ids.record}/key`, ids, { headers: h }) },
  { name: "GET /api/emergency/records/:id/content", call: (c, ids, h) => raw(c, "GET", `/api/emergency/records/${ids.record}/content`, ids, { headers: h }) },
  { name: "GET /api/emergency/patients/:patient", call: (c, ids, h) => raw(c, "GET", `/api/emergency/patients/${ids.address}`, ids, { headers: h }) },
  {
    name: "PUT /api/emergency/requests/:id/notes",
    call: (c, ids, h) => raw(c, "PUT", `/api/emergency/requests/${ids.emergency}/notes`, ids, { json: { notes: [{ recipient: ids.address, sealedNote: "AAAA" }] }, headers: h }),
  },
  // Key rotation and re-encryption.
  { name: "GET /api/records/reencrypt/:id", call: (c, ids, h) => raw(c, "GET", `/api/records/reencrypt/${ids.record}`, ids, { headers: h }) },
  { name: "POST /api/records/reencrypt/:id/retire", call: (c, ids, h) => raw(c, "POST", `/api/records/reencrypt/${ids.record}/retire`, ids, { headers: h }) },
  {
    name: "PUT /api/keys/rotation (wrapped key ids in the body)",
    call: (c, ids, h) =>
      raw(c, "PUT", "/api/keys/rotation", ids, {
        json: { oldPublicKey: storedKeyOf.get(c) ?? `0x${"01".repeat(32)}`, newPublicKey: `0x${"02".repeat(32)}`, keys: [{ id: ids.wrappedKey, wrappedKey: "A".repeat(108) }] },
        headers: h,
      }),
  },
  {
    name: "PUT /api/keys/rotation (sealed refs in the body)",
    call: (c, ids, h) =>
      raw(c, "PUT", "/api/keys/rotation", ids, {
        json: {
          oldPublicKey: storedKeyOf.get(c) ?? `0x${"01".repeat(32)}`,
          newPublicKey: `0x${"02".repeat(32)}`,
          keys: [],
          sealed: [{ kind: "request_reason_patient", ref: ids.request, wrappedKey: "A".repeat(108) }],
        },
        headers: h,
      }),
  },
  {
    name: "PUT /api/emergency/keys (record ids in the body)",
    // Another patient without an emergency key is stopped by the version check (409) before the record check.
    statuses: [409],
    call: (c, ids, h) => raw(c, "PUT", "/api/emergency/keys", ids, { json: { keyVersion: 1, keys: [{ recordId: ids.record, wrappedKey: "A".repeat(108) }] }, headers: h }),
  },
];

/** Routes only an administrator may call: every other role gets the same 403 for any address. */
const adminRoutes: typeof routes = [
  { name: "GET /api/admin/licence-salts/:address", call: (c, ids, h) => raw(c, "GET", `/api/admin/licence-salts/${ids.address}`, ids, { headers: h }) },
  {
    name: "PUT /api/admin/licence-salts/:address",
    call: (c, ids, h) => raw(c, "PUT", `/api/admin/licence-salts/${ids.address}`, ids, { json: { salt: `0x${"cd".repeat(32)}` }, headers: h }),
  },
  {
    name: "PUT /api/emergency/requests/:id/release",
    call: (c, ids, h) => raw(c, "PUT", `/api/emergency/requests/${ids.emergency}/release`, ids, { json: { sealedShare: "AAAA" }, headers: h }),
  },
  { name: "DELETE /api/emergency/requests/:id/release", call: (c, ids, h) => raw(c, "DELETE", `/api/emergency/requests/${ids.emergency}/release`, ids, { headers: h }) },
];

const SPOOFED = (address: string) => ({
  "x-address": address,
  "x-user": address,
  "x-wallet-address": address,
  authorization: `Bearer ${address}`,
  "x-forwarded-user": address,
});

describe("BOLA: another party's id answers byte for byte like an unknown id", () => {
  for (const party of ["patient", "doctor", "admin", "stranger"] as const) {
    for (const row of routes) {
      it(`${row.name} as ${party === "patient" ? "another patient" : `a ${party}`}: 403 or 404, the same bytes for the owner's id and an unknown one`, async () => {
        const foreign = await row.call(parties[party], ownerIds());
        const unknown = await row.call(parties[party], unknownIds());
        assert.ok((row.listing ? [200] : [403, 404, ...(row.statuses ?? [])]).includes(foreign.status), `${foreign.status} ${foreign.text}`);
        // The app's own answer, not Next's page for a route that does not exist.
        assert.equal(foreign.contentType, "application/json", foreign.text.slice(0, 200));
        if (row.listing) assert.doesNotMatch(foreign.text, /"records":\[\{/, "a foreign record is listed");
        assert.deepEqual(foreign, unknown);
      });
    }
  }

  for (const party of ["patient", "doctor", "stranger"] as const) {
    for (const row of adminRoutes) {
      it(`${row.name} as ${party === "patient" ? "a patient" : `a ${party}`}: 403 for any address, the same bytes`, async () => {
        const known = await row.call(parties[party], ownerIds());
        const unknown = await row.call(parties[party], unknownIds());
        assert.deepEqual(known, { status: 403, contentType: "application/json", text: JSON.stringify({ error: { code: "forbidden", message: "You are not an administrator." } }) });
        assert.deepEqual(known, unknown);
      });
    }
  }

  it("GET /api/keys/:address is public by design (public keys): every role gets the same answer", async () => {
    const answers = await Promise.all([alice, ...Object.values(parties), new ApiClient()].map((c) => raw(c, "GET", `/api/keys/${stack.accounts[33]!}`, ownerIds())));
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    assert.equal(answers[0]!.status, 200);
  });

  it("the owner's objects are untouched and still work for the owner", async () => {
    assert.equal((await alice.get(`/api/records/${recordId}/key`)).status, 200);
    const rows = await withDatabase(async (db) => (await db.query<{ status: string }>("SELECT status FROM uploads WHERE id = ANY($1::uuid[]) ORDER BY status", [[receivedUploadId, pendingUploadId]])).rows);
    assert.deepEqual(rows.map((row) => row.status), ["pending", "received"]);
    const doctorKeys = await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE recipient = $1", [stack.accounts[33]!.toLowerCase()])).rowCount);
    assert.equal(doctorKeys, 0);
    const salt = await withDatabase(async (db) => (await db.query("SELECT 1 FROM doctor_licence_salts WHERE address = $1", [owner])).rowCount);
    assert.equal(salt, 0);
  });
});

describe("BOLA: identity comes from the session cookie only", () => {
  for (const party of ["patient", "doctor", "admin", "stranger"] as const) {
    it(`headers naming the owner change no answer for ${party === "patient" ? "another patient" : `a ${party}`} on any id route`, async () => {
      for (const row of [...routes, ...adminRoutes]) {
        const plain = await row.call(parties[party], ownerIds());
        const spoofed = await row.call(parties[party], ownerIds(), SPOOFED(owner));
        assert.deepEqual(spoofed, plain, row.name);
      }
    });
  }

  it("a request without a session but with identity headers is 401 on every id route", async () => {
    for (const row of [...routes, ...adminRoutes]) {
      const answer = await row.call(new ApiClient(), ownerIds(), SPOOFED(owner));
      assert.deepEqual(answer, { status: 401, contentType: "application/json", text: JSON.stringify({ error: { code: "unauthenticated", message: "Sign in with your wallet first." } }) }, row.name);
    }
  });

  const record = () => ({ recordId, wrappedKey: "A".repeat(108) });
  const bodies: Array<{ name: string; client: () => ApiClient; method: string; path: string; json: () => Record<string, unknown>; extra: string }> = [
    { name: "POST /api/records/query", client: () => parties.patient, method: "POST", path: "/api/records/query", json: () => ({ recordIds: [recordId] }), extra: "address" },
    { name: "POST /api/uploads", client: () => alice, method: "POST", path: "/api/uploads", json: () => ({ patient: owner, size: 1000, encryptedMetadata: "AAAA", wrappedKeys: [{ recipient: owner, wrappedKey: "A".repeat(108) }] }), extra: "uploader" },
    { name: "POST /api/uploads/:id/confirm", client: () => alice, method: "POST", path: "/api/uploads/:received/confirm", json: () => ({ recordId }), extra: "patient" },
    { name: "PUT /api/shares/keys", client: () => parties.patient, method: "PUT", path: "/api/shares/keys", json: () => ({ doctor: stack.accounts[33]!.toLowerCase(), keys: [record()] }), extra: "patient" },
    { name: "POST /api/shares/prune", client: () => parties.patient, method: "POST", path: "/api/shares/prune", json: () => ({ doctor: stack.accounts[33]!.toLowerCase() }), extra: "patient" },
    { name: "PUT /api/keys/me", client: () => parties.stranger, method: "PUT", path: "/api/keys/me", json: () => ({ publicKey: keys.owner.publicKeyHex }), extra: "address" },
    { name: "PUT /api/profile", client: () => parties.stranger, method: "PUT", path: "/api/profile", json: () => ({ encryptedProfile: "AAAA", wrappedKey: "A".repeat(108) }), extra: "address" },
    { name: "PUT /api/admin/licence-salts/:address", client: () => parties.admin, method: "PUT", path: `/api/admin/licence-salts/0x${"5a".repeat(20)}`, json: () => ({ salt: `0x${"cd".repeat(32)}` }), extra: "admin" },
    {
      name: "POST /api/access-requests",
      client: () => parties.doctor,
      method: "POST",
      path: "/api/access-requests",
      json: () => ({ patient: owner, allRecords: true, categories: [], proposedExpiry: 0, encryptedReason: "AAAA", reasonKeys: { patient: "A".repeat(108), doctor: "A".repeat(108) } }),
      extra: "doctor",
    },
    {
      name: "PUT /api/emergency/enrolment",
      client: () => parties.patient,
      method: "PUT",
      path: "/api/emergency/enrolment",
      json: () => ({ keyVersion: 1, publicKey: `0x${"ab".repeat(32)}`, sealedScope: "AAAA", shares: [{ admin: stack.accounts[0]!.toLowerCase(), sealedShare: "AAAA" }] }),
      extra: "patient",
    },
    { name: "PUT /api/emergency/keys", client: () => parties.patient, method: "PUT", path: "/api/emergency/keys", json: () => ({ keyVersion: 1, keys: [record()] }), extra: "patient" },
    { name: "PUT /api/emergency/requests/:id/notes", client: () => parties.doctor, method: "PUT", path: "/api/emergency/requests/1/notes", json: () => ({ notes: [{ recipient: owner, sealedNote: "AAAA" }] }), extra: "doctor" },
    { name: "PUT /api/emergency/requests/:id/release", client: () => parties.admin, method: "PUT", path: "/api/emergency/requests/1/release", json: () => ({ sealedShare: "AAAA" }), extra: "admin" },
  ];
  for (const row of bodies) {
    it(`${row.name}: an identity field "${row.extra}" in the body is an unknown field (422), never used`, async () => {
      const answer = await row.client().request(row.method, row.path.replace(":received", receivedUploadId), { json: { ...row.json(), [row.extra]: owner } });
      assert.deepEqual([answer.status, answer.body], [
        422,
        { error: { code: "invalid_input", message: "The request body is invalid.", details: [{ path: "", message: `Unrecognized key: "${row.extra}"` }] } },
      ]);
    });
  }
});
