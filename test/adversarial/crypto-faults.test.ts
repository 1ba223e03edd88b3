import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { encryptionKeyOf } from "@/lib/chain/client";
import { CryptoError, decryptBytes, decryptStream, encryptBytes, randomDataKey, unwrapKey, wrapKey, generateKeyPair, base64ToBytes, publicKeyFromHex } from "@/lib/crypto";
import { uploadRecord } from "@/lib/records/client/upload";
import { checkDoctorKey, findUploadRecipients } from "@/lib/sharing/client";
import { type ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, grantAllAccess, revokeAllAccess } from "../support/api/chain";
import { ensureDoctor, ensurePatient, nodeBrowserChain } from "../support/api/chain-identities";
import { encryptedRecord, withDatabase } from "../support/api/fixtures";
import { type StackUnderTest, stackUnderTest } from "../support/stack-env";

/*
 * The record envelope under random damage: 1,000 single-bit flips spread over header, chunk words, nonces'
 * inputs, tags and bodies all fail, with no plaintext returned (whole-buffer and streaming); a wrong key
 * fails; 100,000 envelopes never repeat a nonce prefix (these need no stack). A public key swapped in the key
 * store's PostgreSQL table, for a doctor or a patient, is caught before anything is wrapped for it (stack).
 */
const CHUNK = 256;
const key = randomDataKey();
const plaintext = Uint8Array.from({ length: 3 * CHUNK + 100 }, (_, i) => (i * 7) & 0xff);
const envelope = await encryptBytes(key, plaintext, { chunkSize: CHUNK });

async function refused(bytes: Uint8Array, dataKey = key): Promise<string> {
  try {
    const out = await decryptBytes(dataKey, bytes);
    assert.fail(`decrypted ${out.length} bytes from a damaged envelope`);
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${String(error)}`);
    return error.code;
  }
}

describe("1,000 random single-bit flips", () => {
  it("every flip, anywhere in the envelope, is refused by decryptBytes with a CryptoError", async () => {
    const codes = new Map<string, number>();
    // Header: magic, version and chunk size (bytes 0-8), then the 16-byte nonce prefix (9-24); then per chunk a
    // 4-byte word (length and final flag, part of each chunk's nonce), a 16-byte tag and the body.
    const regions = { header: 0, nonce: 0, word: 0, tag: 0, body: 0 };
    for (let i = 0; i < 1_000; i++) {
      const position = randomInt(envelope.length);
      const damaged = envelope.slice();
      damaged[position]! ^= 1 << randomInt(8);
      const code = await refused(damaged);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      const inChunk = position < 25 ? -1 : (position - 25) % (4 + 16 + CHUNK);
      if (inChunk < 0) regions[position < 9 ? "header" : "nonce"]++;
      else if (inChunk < 4) regions.word++;
      else if (inChunk < 20) regions.tag++;
      else regions.body++;
    }
    assert.ok(Object.values(regions).every((count) => count > 0), JSON.stringify(regions));
    assert.ok([...codes.keys()].every((code) => ["tampered", "bad-magic", "unsupported-version", "truncated", "trailing-data"].includes(code)), JSON.stringify([...codes]));
  });

  it("streaming decryption yields no chunk at or after the damaged one", async () => {
    for (let i = 0; i < 200; i++) {
      const chunkIndex = randomInt(4);
      const start = 25 + chunkIndex * (4 + 16 + CHUNK);
      const position = start + randomInt(chunkIndex === 3 ? 4 + 16 + 100 : 4 + 16 + CHUNK);
      const damaged = envelope.slice();
      damaged[position]! ^= 1 << randomInt(8);
      let yielded = 0;
      await assert.rejects(async () => {
        for await (const part of decryptStream(key, [damaged])) yielded += part.length;
      }, CryptoError);
      assert.ok(yielded <= chunkIndex * CHUNK, `yielded ${yielded} bytes with chunk ${chunkIndex} damaged`);
    }
  });

  it("a wrong data key or a wrong recipient key fails", async () => {
    assert.equal(await refused(envelope, randomDataKey()), "tampered");
    const wrapped = wrapKey(key, generateKeyPair().publicKey);
    assert.throws(() => unwrapKey(wrapped, generateKeyPair().secretKey), (error: unknown) => error instanceof CryptoError && error.code === "unwrap-failed");
  });
});

describe("nonces", () => {
  it("100,000 envelopes under one data key never repeat a nonce prefix", async () => {
    const seen = new Set<string>();
    const small = new Uint8Array(16);
    for (let i = 0; i < 100_000; i++) {
      const sealed = await encryptBytes(key, small);
      seen.add(Buffer.from(sealed.subarray(9, 25)).toString("hex"));
    }
    assert.equal(seen.size, 100_000);
  });
});

/*
 * The key store (PostgreSQL table users) is not trusted with public keys: the chain anchors them. Accounts 31
 * (doctor) and 32 (patient), registered here or by audit-rows.test.ts, whichever runs first.
 */
describe("a public key swapped in PostgreSQL", { skip: !process.env.TEST_APP_URL && "needs the test stack (npm run test:stack)" }, () => {
  const attacker = generateKeyPair();
  const attackerHex = `0x${Buffer.from(attacker.publicKey).toString("hex")}`;
  let stack: StackUnderTest;
  let patient: string;
  let doctor: string;
  let patientKey: string;
  let doctorKey: string;
  let patientClient: ApiClient;
  let doctorClient: ApiClient;
  let recordId: string;
  const realFetch = globalThis.fetch;

  /** The browser code's relative fetches go to the app with this client's cookie; POST /api/uploads is captured, not sent. */
  function browserFetch(client: ApiClient, captured: unknown[]) {
    globalThis.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url, stack.appUrl);
      if (url.pathname === "/api/uploads" && init.method === "POST") {
        captured.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ error: { code: "service_unavailable", message: "captured by the test" } }), { status: 503, headers: { "content-type": "application/json" } });
      }
      const headers = new Headers(init.headers);
      if (client.cookie) headers.set("cookie", client.cookie);
      return realFetch(url, { ...init, headers });
    }) as typeof fetch;
  }
  const swapKey = (address: string, key: string) =>
    withDatabase((db) => db.query("UPDATE users SET encryption_public_key = $2 WHERE address = $1", [address, Buffer.from(key.slice(2), "hex")]));

  before(async () => {
    stack = stackUnderTest();
    patient = stack.accounts[32]!.toLowerCase();
    doctor = stack.accounts[31]!.toLowerCase();
    patientKey = await ensurePatient(patient);
    doctorKey = await ensureDoctor(doctor, { name: "Dr Audit", specialty: "Records" });
    patientClient = await signedInClient(patient);
    doctorClient = await signedInClient(doctor);
    assert.equal((await patientClient.put("/api/keys/me", { json: { publicKey: patientKey } })).status, 200);
    assert.equal((await doctorClient.put("/api/keys/me", { json: { publicKey: doctorKey } })).status, 200);
    // One stored record of the patient, to try to share with the doctor.
    const record = await encryptedRecord(new Uint8Array(64).fill(77), [{ address: patient, publicKey: publicKeyFromHex(patientKey) }]);
    const created = await patientClient.post("/api/uploads", {
      json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    const { uploadId } = created.body as { uploadId: string };
    const content = await patientClient.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: { "content-type": "application/octet-stream" } });
    const stored = content.body as { cidDigest: string; codec: number };
    recordId = await addRecord(patient, patient, stored.cidDigest, stored.codec);
    assert.equal((await patientClient.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
    await grantAllAccess(patient, doctor);
  });

  after(async () => {
    globalThis.fetch = realFetch;
    await swapKey(patient, patientKey);
    await swapKey(doctor, doctorKey);
    await revokeAllAccess(patient, doctor);
    await patientClient.post("/api/auth/logout-all");
    await doctorClient.post("/api/auth/logout-all");
  });

  it("a doctor's: the patient's browser reports the mismatch and wraps nothing for it; the key store refuses share keys (409)", async () => {
    await swapKey(doctor, attackerHex);
    const chain = await nodeBrowserChain(patient);
    browserFetch(patientClient, []);
    try {
      const check = await checkDoctorKey(chain, doctor);
      assert.deepEqual([check.ok, check.ok ? undefined : check.problem], [false, "mismatch"]);
      const found = await findUploadRecipients(chain, patient, { exclude: [patient] });
      assert.deepEqual([found.recipients, found.skipped.map((s) => s.address)], [[], [doctor]]);
      assert.match(found.skipped[0]!.message, /is not the key published on chain\. Nothing was shared with this doctor/);
    } finally {
      globalThis.fetch = realFetch;
    }
    const wrapped = Buffer.from(wrapKey(randomDataKey(), attacker.publicKey)).toString("base64");
    const keysBefore = await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE recipient = $1", [doctor])).rowCount);
    const answer = await patientClient.put("/api/shares/keys", { json: { doctor, keys: [{ recordId, wrappedKey: wrapped }] } });
    assert.deepEqual([answer.status, answer.body], [
      409,
      { error: { code: "key_mismatch", message: "The key store's key for this doctor is not the key on chain; nothing was stored." } },
    ]);
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE recipient = $1", [doctor])).rowCount), keysBefore);
    // Restored, the same checks pass.
    await swapKey(doctor, doctorKey);
    browserFetch(patientClient, []);
    try {
      assert.equal((await checkDoctorKey(chain, doctor)).ok, true);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("a patient's: a doctor's upload for the patient wraps for the key on chain, never the swapped one", async () => {
    await swapKey(patient, attackerHex);
    assert.equal(((await doctorClient.get(`/api/keys/${patient}`)).body as { publicKey: string }).publicKey, attackerHex, "the key store now serves the swapped key");
    const chain = await nodeBrowserChain(doctor);
    assert.equal(await encryptionKeyOf(chain, patient), patientKey);
    const doctorPair = generateKeyPair();
    const captured: unknown[] = [];
    browserFetch(doctorClient, captured);
    try {
      const file = new File([Buffer.from("%PDF-1.7\nswapped key test\n%%EOF")], "letter.pdf", { type: "application/pdf" });
      const metadata = { title: "Letter", hospital: "H", reason: "R", admissionDate: "2026-01-01", dischargeDate: "2026-01-02", category: "other", fileName: "letter.pdf" };
      await assert.rejects(
        uploadRecord({ chain, key: { address: doctor, publicKey: doctorPair.publicKey, publicKeyHex: "", secretKey: doctorPair.secretKey }, file, metadata: metadata as never, patient }, () => {}),
        /captured by the test/,
      );
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.equal(captured.length, 1);
    const sent = captured[0] as { patient: string; wrappedKeys: Array<{ recipient: string; wrappedKey: string }> };
    assert.deepEqual(sent.wrappedKeys.map((k) => k.recipient), [doctor, patient]);
    const forPatient = base64ToBytes(sent.wrappedKeys[1]!.wrappedKey);
    assert.throws(() => unwrapKey(forPatient, attacker.secretKey), (error: unknown) => error instanceof CryptoError && error.code === "unwrap-failed");
    // The doctor's own entry opens with the doctor's key: the capture is a real wrap, not noise.
    assert.equal(unwrapKey(base64ToBytes(sent.wrappedKeys[0]!.wrappedKey), doctorPair.secretKey).length, 32);
  });
});
