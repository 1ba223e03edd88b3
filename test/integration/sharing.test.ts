import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import { bytesToBase64, wrapKey } from "@/lib/crypto";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, signedInClient } from "../support/api/api-client";
import {
  addRecord,
  chainCanRead,
  deactivateDoctor,
  grantAccess,
  grantAllAccess,
  increaseChainTime,
  latestBlockTime,
  logAccess,
  registerDoctor,
  registerPatient,
  revokeAccess,
  setDoctorKey,
  updateAllAccessExpiry,
} from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";

// Accounts 20-24 belong to this file (scripts/with-test-stack.ts); 0 is the admin.
const stack = stackUnderTest();
const accounts = stack.accounts as string[];
const adminAccount = accounts[0]!;
const [piaAccount, quinnAccount, adaAccount, benAccount, cyAccount] = [20, 21, 22, 23, 24].map((i) => accounts[i]!) as [string, string, string, string, string];
const lower = (account: string) => account.toLowerCase() as `0x${string}`;
const [pia, quinn, ada, ben, cy] = [lower(piaAccount), lower(quinnAccount), lower(adaAccount), lower(benAccount), lower(cyAccount)];
const OCTETS = { "content-type": "application/octet-stream" };
const SUITE = "sharing suite";

const keys = { pia: testKeys(), quinn: testKeys(), ada: testKeys(), ben: testKeys(), cy: testKeys() };
const clients = {} as Record<"pia" | "quinn" | "ada" | "ben" | "cy" | "admin", ApiClient>;

const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });
const refusal = {
  noGrant: error("forbidden", "You may not read this record.", { reason: "no_grant" }),
  noAccessLog: error("forbidden", "Log this access on chain first.", { reason: "no_access_log" }),
  inactive: error("forbidden", "Your doctor account is deactivated.", { reason: "inactive" }),
  expired: (expiresAt: number) =>
    error("forbidden", `Your access to this record expired on ${new Date(expiresAt * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC.`, { reason: "expired" }),
};
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StoredTestRecord {
  recordId: string;
  cid: string;
  dataKey: Uint8Array;
  ciphertext: Uint8Array;
  encryptedMetadata: string;
  wrappedKeys: Array<{ recipient: string; wrappedKey: string }>;
}

/** The full upload path through the API and the chain: create, content, addRecord (by `uploaderAccount`), confirm. */
async function storeRecord(client: ApiClient, uploaderAccount: string, patientAccount: string, readers: Array<{ address: string; publicKey: Uint8Array }>) {
  const record = await encryptedRecord(randomBytes(200), readers);
  const created = await client.post("/api/uploads", {
    json: { patient: patientAccount.toLowerCase(), size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  assert.equal(content.status, 200, JSON.stringify(content.body));
  const { cid, cidDigest, codec } = content.body as { cid: string; cidDigest: string; codec: number };
  const recordId = await addRecord(uploaderAccount, patientAccount, cidDigest, codec);
  const confirmed = await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { recordId, cid, ...record } satisfies StoredTestRecord;
}

const wrappedFor = (record: StoredTestRecord, publicKey: Uint8Array) => bytesToBase64(wrapKey(record.dataKey, publicKey));
const shareKeys = (client: ApiClient, doctor: string, entries: Array<{ recordId: string; wrappedKey: string }>) =>
  client.put("/api/shares/keys", { json: { doctor, keys: entries } });
const storedKeyRows = (recipient: string) =>
  withDatabase(async (db) =>
    (await db.query<{ record_id: string }>("SELECT record_id::text AS record_id FROM wrapped_keys WHERE recipient = $1 AND status = 'confirmed' ORDER BY record_id", [recipient])).rows.map(
      (row) => row.record_id,
    ),
  );

let r1: StoredTestRecord; // Pia's records
let r2: StoredTestRecord;
let r3: StoredTestRecord;
let rq: StoredTestRecord; // Quinn's record
let r4: StoredTestRecord; // Pia's record added by Ada
let r3Expiry: number;
const unknownRecord = () => ((BigInt(pia) << 96n) + 999n).toString();

before(async () => {
  await registerPatient(piaAccount, keys.pia.publicKeyHex);
  await registerPatient(quinnAccount, keys.quinn.publicKeyHex);
  await registerDoctor(adminAccount, adaAccount, keys.ada.publicKeyHex, { name: "Dr Ada Lovelace", specialty: `Oncology (${SUITE})` });
  await registerDoctor(adminAccount, benAccount, keys.ben.publicKeyHex, { name: "Dr Ben Okafor", specialty: `Neurology (${SUITE})` });
  await registerDoctor(adminAccount, cyAccount, undefined, { name: "Dr Cy Young", specialty: `Dermatology (${SUITE})` });
  for (const [name, account] of [
    ["pia", piaAccount],
    ["quinn", quinnAccount],
    ["ada", adaAccount],
    ["ben", benAccount],
    ["cy", cyAccount],
    ["admin", adminAccount],
  ] as const) {
    clients[name] = await signedInClient(account);
  }
  for (const name of ["ada", "ben"] as const) {
    assert.equal((await clients[name].put("/api/keys/me", { json: { publicKey: keys[name].publicKeyHex } })).status, 200);
  }
  const piaOnly = [{ address: pia, publicKey: keys.pia.publicKey }];
  r1 = await storeRecord(clients.pia, piaAccount, piaAccount, piaOnly);
  r2 = await storeRecord(clients.pia, piaAccount, piaAccount, piaOnly);
  r3 = await storeRecord(clients.pia, piaAccount, piaAccount, piaOnly);
  rq = await storeRecord(clients.quinn, quinnAccount, quinnAccount, [{ address: quinn, publicKey: keys.quinn.publicKey }]);
});

describe("GET /api/doctors", () => {
  const entry = (address: string, name: string, specialty: string, publicKeyHex?: string) => ({
    address,
    name,
    specialty: `${specialty} (${SUITE})`,
    active: true,
    hasKey: publicKeyHex !== undefined,
    encryptionKey: publicKeyHex ?? `0x${"0".repeat(64)}`,
  });
  const withoutTime = (body: unknown) => {
    const { doctors, ...rest } = body as { doctors: Array<{ registeredAt: number }> };
    for (const doctor of doctors) assert.ok(Number.isInteger(doctor.registeredAt) && doctor.registeredAt > 1_600_000_000);
    return { ...rest, doctors: doctors.map((doctor) => Object.fromEntries(Object.entries(doctor).filter(([name]) => name !== "registeredAt"))) };
  };

  it("searches name, specialty and address case-insensitively, in registration order, paged", async () => {
    const ada_ = entry(ada, "Dr Ada Lovelace", "Oncology", keys.ada.publicKeyHex);
    const ben_ = entry(ben, "Dr Ben Okafor", "Neurology", keys.ben.publicKeyHex);
    const cy_ = entry(cy, "Dr Cy Young", "Dermatology");
    const rows: Array<{ query: string; expected: unknown }> = [
      { query: `?q=${encodeURIComponent(SUITE.toUpperCase())}`, expected: { total: 3, offset: 0, doctors: [ada_, ben_, cy_] } },
      { query: `?q=${encodeURIComponent(SUITE)}&offset=1&limit=1`, expected: { total: 3, offset: 1, doctors: [ben_] } },
      { query: `?q=${encodeURIComponent(SUITE)}&offset=5`, expected: { total: 3, offset: 5, doctors: [] } },
      { query: "?q=lovelace", expected: { total: 1, offset: 0, doctors: [ada_] } },
      { query: `?q=${benAccount.slice(2, 12).toUpperCase()}`, expected: { total: 1, offset: 0, doctors: [ben_] } },
      { query: "?q=no-such-doctor-anywhere", expected: { total: 0, offset: 0, doctors: [] } },
    ];
    for (const row of rows) {
      const answer = await clients.quinn.get(`/api/doctors${row.query}`);
      assert.equal(answer.status, 200, row.query);
      assert.deepEqual(withoutTime(answer.body), row.expected, row.query);
    }
    const all = await clients.ada.get("/api/doctors?limit=100");
    assert.equal(all.status, 200);
    assert.ok((all.body as { total: number }).total >= 3);
  });

  const invalid = (details: unknown) => error("invalid_input", "The query string is invalid.", details);
  const cases: Array<{ name: string; query: string; status: number; expected: unknown }> = [
    { name: "a limit of 0", query: "?limit=0", status: 422, expected: invalid([{ path: "limit", message: "must be between 1 and 100" }]) },
    { name: "a limit above 100", query: "?limit=101", status: 422, expected: invalid([{ path: "limit", message: "must be between 1 and 100" }]) },
    { name: "a negative offset", query: "?offset=-1", status: 422, expected: invalid([{ path: "offset", message: "must be a whole number" }]) },
    { name: "an unknown parameter", query: "?page=2", status: 422, expected: invalid([{ path: "", message: 'Unrecognized key: "page"' }]) },
  ];
  for (const row of cases) {
    it(`answers ${row.status} for ${row.name}`, async () => {
      const answer = await clients.pia.get(`/api/doctors${row.query}`);
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected]);
    });
  }

  it("answers 401 without a session", async () => {
    const answer = await new ApiClient().get("/api/doctors");
    assert.deepEqual([answer.status, answer.body], [401, error("unauthenticated", "Sign in with your wallet first.")]);
  });
});

describe("PUT /api/shares/keys", () => {
  const key = (record: () => StoredTestRecord, publicKey: () => Uint8Array) => () => ({ recordId: record().recordId, wrappedKey: wrappedFor(record(), publicKey()) });
  const forAda = key(() => r1, () => keys.ada.publicKey);
  const cases: Array<{ name: string; client: () => ApiClient; body: () => unknown; status: number; expected: () => unknown }> = [
    {
      name: "a record of another patient",
      client: () => clients.pia,
      body: () => ({ doctor: ada, keys: [forAda(), { recordId: rq.recordId, wrappedKey: wrappedFor(rq, keys.ada.publicKey) }] }),
      status: 403,
      expected: () => error("forbidden", `Record ${rq.recordId} is not one of your stored records.`),
    },
    {
      name: "a record the key store does not know",
      client: () => clients.pia,
      body: () => ({ doctor: ada, keys: [{ recordId: unknownRecord(), wrappedKey: forAda().wrappedKey }] }),
      status: 403,
      expected: () => error("forbidden", `Record ${unknownRecord()} is not one of your stored records.`),
    },
    {
      name: "a recipient who is not a doctor",
      client: () => clients.pia,
      body: () => ({ doctor: quinn, keys: [forAda()] }),
      status: 403,
      expected: () => error("forbidden", `${quinn} is not an active doctor.`),
    },
    {
      name: "a doctor who has published no key",
      client: () => clients.pia,
      body: () => ({ doctor: cy, keys: [forAda()] }),
      status: 403,
      expected: () => error("forbidden", "This doctor has not published an encryption key yet."),
    },
    {
      name: "a caller who is not a patient",
      client: () => clients.ada,
      body: () => ({ doctor: ben, keys: [forAda()] }),
      status: 403,
      expected: () => error("forbidden", "Only a registered patient may do this."),
    },
    {
      name: "sharing with oneself",
      client: () => clients.pia,
      body: () => ({ doctor: pia, keys: [forAda()] }),
      status: 422,
      expected: () => error("invalid_input", "You cannot share records with yourself.", [{ path: "doctor", message: "is the caller" }]),
    },
    {
      name: "the same record twice",
      client: () => clients.pia,
      body: () => ({ doctor: ada, keys: [forAda(), forAda()] }),
      status: 422,
      expected: () => error("invalid_input", "Each record may have only one wrapped key.", [{ path: "keys", message: "duplicate record" }]),
    },
    {
      name: "no keys",
      client: () => clients.pia,
      body: () => ({ doctor: ada, keys: [] }),
      status: 422,
      expected: () => error("invalid_input", "The request body is invalid.", [{ path: "keys", message: "must hold 1 to 100 keys" }]),
    },
    {
      name: "101 keys",
      client: () => clients.pia,
      body: () => ({ doctor: ada, keys: Array.from({ length: 101 }, forAda) }),
      status: 422,
      expected: () => error("invalid_input", "The request body is invalid.", [{ path: "keys", message: "must hold 1 to 100 keys" }]),
    },
    {
      name: "a bad address, record id and wrapped key, and an unknown field",
      client: () => clients.pia,
      body: () => ({ doctor: "0x12", keys: [{ recordId: "01", wrappedKey: "AAAA" }], expiresAt: 0 }),
      status: 422,
      expected: () =>
        error("invalid_input", "The request body is invalid.", [
          { path: "doctor", message: "must be a 0x-prefixed 20-byte hex address" },
          { path: "keys.0.recordId", message: "must be a decimal uint256" },
          { path: "keys.0.wrappedKey", message: "must be an 81-byte wrapped key" },
          { path: "", message: 'Unrecognized key: "expiresAt"' },
        ]),
    },
  ];
  for (const row of cases) {
    it(`answers ${row.status} for ${row.name}`, async () => {
      const answer = await row.client().put("/api/shares/keys", { json: row.body() });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected()]);
    });
  }

  it("answers 401 without a session", async () => {
    const answer = await new ApiClient().put("/api/shares/keys", { json: { doctor: ada, keys: [] } });
    assert.deepEqual([answer.status, answer.body], [401, error("unauthenticated", "Sign in with your wallet first.")]);
  });

  it("answers 409 key_mismatch while the doctor's key in the key store is not the one on chain, stores once they agree", async () => {
    const rotated = testKeys();
    await setDoctorKey(benAccount, rotated.publicKeyHex);
    const body = { doctor: ben, keys: [{ recordId: r2.recordId, wrappedKey: wrappedFor(r2, keys.ben.publicKey) }] };
    const mismatch = await clients.pia.put("/api/shares/keys", { json: body });
    assert.deepEqual([mismatch.status, mismatch.body], [409, error("key_mismatch", "The key store's key for this doctor is not the key on chain; nothing was stored.")]);
    assert.deepEqual(await storedKeyRows(ben), []);
    await setDoctorKey(benAccount, keys.ben.publicKeyHex);
    const stored = await clients.pia.put("/api/shares/keys", { json: body });
    assert.deepEqual([stored.status, stored.body], [200, { stored: 1 }]);
    // Storing again replaces the key (upsert), still one row.
    const again = await clients.pia.put("/api/shares/keys", { json: body });
    assert.deepEqual([again.status, again.body], [200, { stored: 1 }]);
    assert.deepEqual(await storedKeyRows(ben), [r2.recordId]);
  });
});

describe("a doctor's key release: grant, expiry by the server's clock, access log", () => {
  it("refuses a doctor without a grant, and an unknown record with the very same answer", async () => {
    for (const path of ["key", "content"]) {
      const forbidden = await clients.ada.get(`/api/records/${r1.recordId}/${path}`);
      const unknown = await clients.ada.get(`/api/records/${unknownRecord()}/${path}`);
      assert.deepEqual([forbidden.status, forbidden.body], [403, refusal.noGrant], path);
      assert.deepEqual([unknown.status, unknown.body], [forbidden.status, forbidden.body], path);
    }
  });

  it("needs a RecordAccessed event: the key, the content, then both once logged; a listing needs no log", async () => {
    await grantAccess(piaAccount, adaAccount, [r1.recordId, r2.recordId]);
    const adaKey = wrappedFor(r1, keys.ada.publicKey);
    assert.deepEqual((await shareKeys(clients.pia, ada, [{ recordId: r1.recordId, wrappedKey: adaKey }, { recordId: r2.recordId, wrappedKey: wrappedFor(r2, keys.ada.publicKey) }])).body, {
      stored: 2,
    });
    const expected = { recordId: r1.recordId, cid: r1.cid, encryptedMetadata: r1.encryptedMetadata, wrappedKey: adaKey };

    const key = await clients.ada.get(`/api/records/${r1.recordId}/key`);
    assert.deepEqual([key.status, key.body], [403, refusal.noAccessLog]);
    const content = await clients.ada.get(`/api/records/${r1.recordId}/content`);
    assert.deepEqual([content.status, content.body], [403, refusal.noAccessLog]);
    const query = await clients.ada.post("/api/records/query", { json: { recordIds: [r1.recordId, r3.recordId] } });
    assert.deepEqual([query.status, query.body], [200, { records: [expected], unavailable: [{ recordId: r3.recordId, reason: "forbidden" }] }]);

    await logAccess(adaAccount, r1.recordId);
    const released = await clients.ada.get(`/api/records/${r1.recordId}/key`);
    assert.deepEqual([released.status, released.body], [200, expected]);
    const bytes = await clients.ada.fetch("GET", `/api/records/${r1.recordId}/content`);
    assert.equal(bytes.status, 200);
    assert.deepEqual(new Uint8Array(await bytes.arrayBuffer()), r1.ciphertext);
    // The log of one record does not open another.
    const other = await clients.ada.get(`/api/records/${r2.recordId}/key`);
    assert.deepEqual([other.status, other.body], [403, refusal.noAccessLog]);
  });

  it("never hands a doctor another doctor's key: no grant is a 403, a grant without a key of their own a 404", async () => {
    const refused = await clients.ben.get(`/api/records/${r1.recordId}/key`);
    assert.deepEqual([refused.status, refused.body], [403, refusal.noGrant]);
    await grantAccess(piaAccount, benAccount, [r1.recordId]);
    await logAccess(benAccount, r1.recordId);
    const missing = await clients.ben.get(`/api/records/${r1.recordId}/key`);
    assert.deepEqual([missing.status, missing.body], [404, error("not_found", "The key store has no key for you on this record.")]);
  });

  it("refuses at once after a revocation; prune then deletes the revoked and the never-granted keys only", async () => {
    // A key stored for r3 whose grant was never signed (a failed grant transaction).
    assert.deepEqual((await shareKeys(clients.pia, ada, [{ recordId: r3.recordId, wrappedKey: wrappedFor(r3, keys.ada.publicKey) }])).body, { stored: 1 });
    await revokeAccess(piaAccount, adaAccount, [r1.recordId]);
    const key = await clients.ada.get(`/api/records/${r1.recordId}/key`);
    assert.deepEqual([key.status, key.body], [403, refusal.noGrant]);
    assert.deepEqual(await storedKeyRows(ada), [r1.recordId, r2.recordId, r3.recordId].sort());

    const cases: Array<{ name: string; body: unknown; status: number; expected: unknown }> = [
      {
        name: "a record of another patient",
        body: { doctor: ada, recordIds: [r1.recordId, rq.recordId] },
        status: 403,
        expected: error("forbidden", `Record ${rq.recordId} is not one of your records.`),
      },
      {
        name: "an empty list",
        body: { doctor: ada, recordIds: [] },
        status: 422,
        expected: error("invalid_input", "The request body is invalid.", [{ path: "recordIds", message: "must hold 1 to 1000 record ids" }]),
      },
      { name: "a listed readable record", body: { doctor: ada, recordIds: [r2.recordId] }, status: 200, expected: { deleted: 0 } },
      { name: "every record", body: { doctor: ada }, status: 200, expected: { deleted: 2 } },
      { name: "every record again", body: { doctor: ada }, status: 200, expected: { deleted: 0 } },
    ];
    for (const row of cases) {
      const answer = await clients.pia.post("/api/shares/prune", { json: row.body });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected], row.name);
    }
    assert.deepEqual(await storedKeyRows(ada), [r2.recordId]);
    const byDoctor = await clients.ada.post("/api/shares/prune", { json: { doctor: ada } });
    assert.deepEqual([byDoctor.status, byDoctor.body], [403, error("forbidden", "Only a registered patient may do this.")]);
  });

  it("refuses an expired grant on an idle chain: the chain still says canRead, the server's clock says expired", async () => {
    const expiresAt = (r3Expiry = nowSeconds() + 6);
    await grantAccess(piaAccount, adaAccount, [r3.recordId], expiresAt);
    assert.deepEqual((await shareKeys(clients.pia, ada, [{ recordId: r3.recordId, wrappedKey: wrappedFor(r3, keys.ada.publicKey) }])).body, { stored: 1 });
    await logAccess(adaAccount, r3.recordId);
    const before = await clients.ada.get(`/api/records/${r3.recordId}/key`);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    // No transaction is sent while waiting, so no block is mined: the latest block is older than the expiry.
    await sleep((expiresAt + 1) * 1000 - Date.now());
    assert.ok((await latestBlockTime()) < expiresAt);
    assert.equal(await chainCanRead(adaAccount, r3.recordId), true);
    const after = await clients.ada.get(`/api/records/${r3.recordId}/key`);
    assert.deepEqual([after.status, after.body], [403, refusal.expired(expiresAt)]);
    const query = await clients.ada.post("/api/records/query", { json: { recordIds: [r3.recordId] } });
    assert.deepEqual(query.body, { records: [], unavailable: [{ recordId: r3.recordId, reason: "forbidden" }] });
  });
});

describe("POST /api/uploads by a doctor for a patient", () => {
  const upload = (client: ApiClient, recipients: string[]) =>
    client.post("/api/uploads", {
      json: { patient: pia, size: 1000, encryptedMetadata: "AAAA", wrappedKeys: recipients.map((recipient) => ({ recipient, wrappedKey: "A".repeat(108) })) },
    });
  const withoutAll = "You may add records for this patient only while you hold an all-records grant from them.";
  const notAllowed = (who: string) =>
    `${who} may not receive this record's key: only the patient, the uploader and doctors holding a live all-records grant from the patient may.`;

  it("refuses a doctor without an all-records grant, and anyone but a doctor", async () => {
    const cases: Array<{ name: string; client: () => ApiClient; recipients: string[]; status: number; expected: unknown }> = [
      { name: "a doctor with per-record grants only", client: () => clients.ada, recipients: [pia, ada], status: 403, expected: error("forbidden", withoutAll) },
      { name: "another patient", client: () => clients.quinn, recipients: [pia, quinn], status: 403, expected: error("forbidden", "You may upload records only for yourself.") },
      { name: "the patient wrapping for a doctor without an all-records grant", client: () => clients.pia, recipients: [pia, ada], status: 403, expected: error("forbidden", notAllowed(ada)) },
    ];
    for (const row of cases) {
      const answer = await upload(row.client(), row.recipients);
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected], row.name);
    }
  });

  it("lets a doctor with a live all-records grant add a record wrapped for the patient and themself", async () => {
    await grantAllAccess(piaAccount, adaAccount, 0);
    const cases: Array<{ name: string; recipients: string[]; status: number; expected: unknown }> = [
      {
        name: "no key for the uploader",
        recipients: [pia],
        status: 422,
        expected: error("invalid_input", "The data key must be wrapped for you, the uploader.", [{ path: "wrappedKeys", message: "no entry for the uploader" }]),
      },
      { name: "a key for a doctor without an all-records grant", recipients: [pia, ada, ben], status: 403, expected: error("forbidden", notAllowed(ben)) },
    ];
    for (const row of cases) {
      const answer = await upload(clients.ada, row.recipients);
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected], row.name);
    }
    const record = (r4 = await storeRecord(clients.ada, adaAccount, piaAccount, [
      { address: pia, publicKey: keys.pia.publicKey },
      { address: ada, publicKey: keys.ada.publicKey },
    ]));
    const uploader = await withDatabase(async (db) => (await db.query<{ uploader: string }>("SELECT uploader FROM records WHERE record_id = $1", [record.recordId])).rows[0]?.uploader);
    assert.equal(uploader, ada);
    await logAccess(adaAccount, record.recordId);
    const key = await clients.ada.get(`/api/records/${record.recordId}/key`);
    assert.deepEqual([key.status, key.body], [200, { recordId: record.recordId, cid: record.cid, encryptedMetadata: record.encryptedMetadata, wrappedKey: record.wrappedKeys[1]!.wrappedKey }]);
    const own = await clients.pia.get(`/api/records/${record.recordId}/key`);
    assert.deepEqual([own.status, own.body], [200, { recordId: record.recordId, cid: record.cid, encryptedMetadata: record.encryptedMetadata, wrappedKey: record.wrappedKeys[0]!.wrappedKey }]);
    // The patient's own uploads may now be wrapped for this doctor too.
    const patientUpload = await upload(clients.pia, [pia, ada]);
    assert.equal(patientUpload.status, 201, JSON.stringify(patientUpload.body));
    assert.equal((await clients.pia.delete(`/api/uploads/${(patientUpload.body as { uploadId: string }).uploadId}`)).status, 204);
  });
});

describe("GET /api/shares, GET /api/doctor/patients, GET /api/access-log", () => {
  it("lists each doctor the patient ever granted, with the current grants, newest first", async () => {
    const answer = await clients.pia.get("/api/shares");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { doctors } = answer.body as { doctors: Array<{ doctor: string; records: Array<{ recordId: string }> }> };
    assert.deepEqual(
      doctors.map((d) => d.doctor),
      [ada, ben],
    );
    const piaRecords = [r1, r2, r3].map((r) => r.recordId);
    assert.deepEqual(doctors[1], {
      doctor: ben,
      name: "Dr Ben Okafor",
      specialty: `Neurology (${SUITE})`,
      active: true,
      allRecords: null,
      records: [{ recordId: r1.recordId, expiresAt: 0, readable: true, allRecords: false }],
    });
    const adaEntry = doctors[0]!;
    assert.deepEqual({ ...adaEntry, records: adaEntry.records.filter((r) => piaRecords.includes(r.recordId)) }, {
      doctor: ada,
      name: "Dr Ada Lovelace",
      specialty: `Oncology (${SUITE})`,
      active: true,
      allRecords: { granted: true, expiresAt: 0 },
      records: [
        { recordId: r1.recordId, expiresAt: 0, readable: true, allRecords: true },
        { recordId: r2.recordId, expiresAt: 0, readable: true, allRecords: true },
        // r3's per-record grant expired by the server's clock; the all-records grant has no expiry, so the latest-expiring grant is 0.
        { recordId: r3.recordId, expiresAt: 0, readable: true, allRecords: true },
      ],
    });
  });

  it("lists the patients who granted the doctor anything", async () => {
    const answer = await clients.ben.get("/api/doctor/patients");
    assert.deepEqual([answer.status, answer.body], [
      200,
      { patients: [{ patient: pia, allRecords: null, records: [{ recordId: r1.recordId, expiresAt: 0, readable: true, allRecords: false }] }], next: null },
    ]);
    const none = await clients.cy.get("/api/doctor/patients");
    assert.deepEqual([none.status, none.body], [200, { patients: [], next: null }]);
  });

  it("answers 403 to callers without the role", async () => {
    const cases: Array<{ name: string; client: () => ApiClient; path: string; expected: unknown }> = [
      { name: "a patient asking for a doctor's patients", client: () => clients.quinn, path: "/api/doctor/patients", expected: error("forbidden", "This account is not registered as a doctor.") },
      { name: "a doctor asking for shares", client: () => clients.ada, path: "/api/shares", expected: error("forbidden", "Only a registered patient may do this.") },
      { name: "a doctor asking for an access log", client: () => clients.ben, path: "/api/access-log", expected: error("forbidden", "Only a registered patient may do this.") },
    ];
    for (const row of cases) {
      const answer = await row.client().get(row.path);
      assert.deepEqual([answer.status, answer.body], [403, row.expected], row.name);
    }
  });

  it("gives the patient the doctors' openings, the grant history and the key store's audit, newest first", async () => {
    await updateAllAccessExpiry(piaAccount, adaAccount, 0);
    const txHash = await logAccess(adaAccount, r2.recordId);
    const answer = await clients.pia.get("/api/access-log");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const log = answer.body as {
      accesses: Array<{ doctor: string; recordId: string; time: number; txHash: string }>;
      history: Array<{ kind: string; doctor: string; recordId?: string; expiresAt?: number; time: number; txHash: string }>;
      audit: Array<{ at: string; actor: string; recordId: string; action: string; allowed: boolean; reason: string }>;
    };
    assert.deepEqual(log.accesses[0], { doctor: ada, recordId: r2.recordId, time: log.accesses[0]!.time, txHash });
    assert.ok(Math.abs(log.accesses[0]!.time - nowSeconds()) < 600);
    assert.deepEqual(
      log.accesses.map((a) => [a.doctor, a.recordId]),
      [
        [ada, r2.recordId],
        [ada, r4.recordId],
        [ada, r3.recordId],
        [ben, r1.recordId],
        [ada, r1.recordId],
      ],
    );
    assert.deepEqual(
      log.history.map((h) => [h.kind, h.doctor, h.recordId ?? null, h.expiresAt ?? null]),
      [
        ["all_expiry_updated", ada, null, 0],
        ["all_granted", ada, null, 0],
        ["granted", ada, r3.recordId, r3Expiry],
        ["revoked", ada, r1.recordId, null],
        ["granted", ben, r1.recordId, 0],
        ["granted", ada, r2.recordId, 0],
        ["granted", ada, r1.recordId, 0],
      ],
    );
    assert.ok(log.history.every((h) => /^0x[0-9a-f]{64}$/.test(h.txHash) && h.time > 1_600_000_000));
    const times = log.history.map((h) => h.time);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const adaOnR1 = log.audit.filter((row) => row.actor === ada && row.recordId === r1.recordId && row.action === "key").map((row) => [row.allowed, row.reason]);
    assert.deepEqual(adaOnR1, [
      [false, "no_grant"],
      [true, "grant"],
      [false, "no_access_log"],
      [false, "no_grant"],
    ]);
    assert.ok(log.audit.every((row) => BigInt(row.recordId) >> 96n === BigInt(pia)));

    const other = await clients.quinn.get("/api/access-log");
    assert.equal(other.status, 200);
    const quinnLog = other.body as { accesses: unknown[]; history: unknown[]; audit: Array<{ recordId: string }> };
    assert.deepEqual([quinnLog.accesses, quinnLog.history], [[], []]);
    assert.ok(quinnLog.audit.every((row) => row.recordId === rq.recordId));
  });

  it("pages the doctor's patients, most recent grant first, finding grants made after the last request", async () => {
    // Ben's patients were read above (pia only): Quinn's grant comes after, in blocks the server has not scanned yet.
    await grantAccess(quinnAccount, benAccount, [rq.recordId]);
    type Page = { patients: Array<{ patient: string }>; next: string | null };
    const first = await clients.ben.get("/api/doctor/patients?limit=1");
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const firstPage = first.body as Page;
    assert.deepEqual(firstPage.patients.map((p) => p.patient), [quinn]);
    assert.match(firstPage.next ?? "", /^[0-9]+-[0-9]+$/);
    const second = await clients.ben.get(`/api/doctor/patients?limit=1&cursor=${firstPage.next}`);
    assert.deepEqual([second.status, (second.body as Page).patients.map((p) => p.patient), (second.body as Page).next], [200, [pia], null]);
    const whole = await clients.ben.get("/api/doctor/patients");
    assert.deepEqual((whole.body as Page).patients.map((p) => p.patient), [quinn, pia]);
    // Pia grants again: she moves to the top, and the page after Quinn's old place no longer repeats her.
    await grantAccess(piaAccount, benAccount, [r1.recordId]);
    const again = await clients.ben.get("/api/doctor/patients");
    assert.deepEqual((again.body as Page).patients.map((p) => p.patient), [pia, quinn]);
    const afterQuinn = await clients.ben.get(`/api/doctor/patients?limit=1&cursor=${firstPage.next}`);
    assert.deepEqual((afterQuinn.body as Page).patients, []);
    for (const query of ["limit=0", "limit=101", "limit=x", "cursor=abc", "cursor=1-2-3", "other=1"]) {
      const bad = await clients.ben.get(`/api/doctor/patients?${query}`);
      assert.equal(bad.status, 422, query);
    }
  });
});

describe("a deactivated doctor", () => {
  it("is refused at once on every route and record, with a message that says so", async () => {
    await setDoctorKey(cyAccount, keys.cy.publicKeyHex);
    assert.equal((await clients.cy.put("/api/keys/me", { json: { publicKey: keys.cy.publicKeyHex } })).status, 200);
    await grantAllAccess(piaAccount, cyAccount, 0);
    assert.deepEqual((await shareKeys(clients.pia, cy, [{ recordId: r2.recordId, wrappedKey: wrappedFor(r2, keys.cy.publicKey) }])).body, { stored: 1 });
    await logAccess(cyAccount, r2.recordId);
    assert.equal((await clients.cy.get(`/api/records/${r2.recordId}/key`)).status, 200);

    await deactivateDoctor(adminAccount, cyAccount);
    for (const path of ["key", "content"]) {
      const answer = await clients.cy.get(`/api/records/${r2.recordId}/${path}`);
      assert.deepEqual([answer.status, answer.body], [403, refusal.inactive], path);
    }
    const patients = await clients.cy.get("/api/doctor/patients");
    assert.deepEqual([patients.status, patients.body], [403, error("forbidden", "Your doctor account is deactivated.")]);
    const share = await shareKeys(clients.pia, cy, [{ recordId: r1.recordId, wrappedKey: wrappedFor(r1, keys.cy.publicKey) }]);
    assert.deepEqual([share.status, share.body], [403, error("forbidden", `${cy} is not an active doctor.`)]);
    const audit = await withDatabase(async (db) =>
      (await db.query<{ reason: string }>("SELECT reason FROM key_audit WHERE actor = $1 AND record_id = $2 ORDER BY id", [cy, r2.recordId])).rows.map((row) => row.reason),
    );
    assert.deepEqual(audit, ["grant", "inactive", "inactive"]);
  });
});

describe("admin routes", () => {
  const salt = `0x${"5a".repeat(32)}`;
  const notAdmin = error("forbidden", "You are not an administrator.");
  const cases: Array<{ name: string; client: () => ApiClient; method: "get" | "put"; path: () => string; body?: unknown; status: number; expected: () => unknown }> = [
    { name: "a doctor storing a salt", client: () => clients.ada, method: "put", path: () => `/api/admin/licence-salts/${ben}`, body: { salt }, status: 403, expected: () => notAdmin },
    { name: "a patient reading a salt", client: () => clients.pia, method: "get", path: () => `/api/admin/licence-salts/${ben}`, status: 403, expected: () => notAdmin },
    { name: "a patient reading the overview", client: () => clients.pia, method: "get", path: () => "/api/admin/overview", status: 403, expected: () => notAdmin },
    { name: "no session", client: () => new ApiClient(), method: "get", path: () => "/api/admin/overview", status: 401, expected: () => error("unauthenticated", "Sign in with your wallet first.") },
    {
      name: "a salt that is not 32 bytes",
      client: () => clients.admin,
      method: "put",
      path: () => `/api/admin/licence-salts/${ben}`,
      body: { salt: "0x1234" },
      status: 422,
      expected: () => error("invalid_input", "The request body is invalid.", [{ path: "salt", message: "must be 0x followed by 64 hex digits" }]),
    },
    {
      name: "an unknown field",
      client: () => clients.admin,
      method: "put",
      path: () => `/api/admin/licence-salts/${ben}`,
      body: { salt, licence: "12345" },
      status: 422,
      expected: () => error("invalid_input", "The request body is invalid.", [{ path: "", message: 'Unrecognized key: "licence"' }]),
    },
    {
      name: "a bad address",
      client: () => clients.admin,
      method: "get",
      path: () => "/api/admin/licence-salts/0x1234",
      status: 422,
      expected: () => error("invalid_input", "The address is invalid.", [{ path: "", message: "must be a 0x-prefixed 20-byte hex address" }]),
    },
    {
      name: "an address without a salt",
      client: () => clients.admin,
      method: "get",
      path: () => `/api/admin/licence-salts/${quinn}`,
      status: 404,
      expected: () => error("not_found", `No licence salt is stored for ${quinn}.`),
    },
  ];
  for (const row of cases) {
    it(`answers ${row.status} for ${row.name}`, async () => {
      const answer = await row.client()[row.method](row.path(), row.body === undefined ? undefined : { json: row.body });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected()]);
    });
  }

  it("stores, replaces and returns a licence salt (addresses and hex lowercased)", async () => {
    const upper = `0x${"AB".repeat(32)}`;
    const put = await clients.admin.put(`/api/admin/licence-salts/${benAccount.toUpperCase().replace("0X", "0x")}`, { json: { salt: upper } });
    assert.deepEqual([put.status, put.body], [200, { address: ben, salt: upper.toLowerCase() }]);
    const replaced = await clients.admin.put(`/api/admin/licence-salts/${ben}`, { json: { salt } });
    assert.deepEqual([replaced.status, replaced.body], [200, { address: ben, salt }]);
    const got = await clients.admin.get(`/api/admin/licence-salts/${ben}`);
    assert.deepEqual([got.status, got.body], [200, { address: ben, salt }]);
    const setBy = await withDatabase(async (db) => (await db.query<{ set_by: string }>("SELECT set_by FROM doctor_licence_salts WHERE address = $1", [ben])).rows[0]?.set_by);
    assert.equal(setBy, adminAccount.toLowerCase());
  });

  it("counts one more access after a doctor logs one", async () => {
    const before = await clients.admin.get("/api/admin/overview");
    assert.equal(before.status, 200, JSON.stringify(before.body));
    await logAccess(benAccount, r1.recordId);
    const after = await clients.admin.get("/api/admin/overview");
    const [b, a] = [before.body, after.body] as Array<Record<string, number>>;
    assert.deepEqual(Object.keys(b!).sort(), ["accesses", "activeDoctors", "activeGrants", "doctors", "patients", "records"]);
    assert.ok(Object.values(b!).every((n) => Number.isInteger(n) && n >= 0));
    assert.ok(b!.doctors! >= 3 && b!.activeDoctors! <= b!.doctors! && b!.patients! >= 2 && b!.records! >= 5 && b!.activeGrants! >= 2);
    assert.deepEqual(a, { ...b, accesses: b!.accesses! + 1 });
  });
});

// Last: it moves the shared chain's clock forward (by one minute), which later test files must tolerate.
describe("an expired grant after the chain's clock moved forward", () => {
  it("refuses the key once the chain says the grant expired", async () => {
    const expiresAt = Math.max(nowSeconds(), await latestBlockTime()) + 30;
    await grantAccess(piaAccount, benAccount, [r2.recordId], expiresAt);
    await logAccess(benAccount, r2.recordId);
    const before = await clients.ben.get(`/api/records/${r2.recordId}/key`);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    await increaseChainTime(60);
    assert.equal(await chainCanRead(benAccount, r2.recordId), false);
    const after = await clients.ben.get(`/api/records/${r2.recordId}/key`);
    assert.deepEqual([after.status, after.body], [403, refusal.expired(expiresAt)]);
    const shares = await clients.pia.get("/api/shares");
    const benEntry = (shares.body as { doctors: Array<{ doctor: string; records: unknown[] }> }).doctors.find((d) => d.doctor === ben);
    assert.deepEqual(benEntry?.records, [
      { recordId: r1.recordId, expiresAt: 0, readable: true, allRecords: false },
      { recordId: r2.recordId, expiresAt, readable: false, allRecords: false },
    ]);
  });
});
