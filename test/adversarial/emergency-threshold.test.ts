/**
 * Adversarial: the server's whole database plus ONE administrator's private key cannot open an emergency record.
 * The attacker reads every emergency table (opt-ins, every administrator's sealed share, the data keys wrapped
 * for the emergency key, shares released to doctors, notes) and every wrapped key and record, and holds the
 * first administrator's secret key. They open that administrator's share, try every sealed blob with that key,
 * try to rebuild the emergency key from every share they can open (alone, and with every 33-byte blob in the
 * database as a second "share"), and try to unwrap every emergency-wrapped data key with each candidate: none
 * matches the patient's emergency public key on chain and no data key opens. With the second administrator's
 * key as well, the same steps open the record (the control).
 * Accounts: patient 43, administrators 0 and 42 (42 removed again at the end).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Web3 } from "web3";
import { doctorContractAbi } from "@/lib/chain/generated/contracts";
import { bytesToBase64, decryptBytes, encodeWrappedKey, encryptJson, generateKeyPair, publicKeyToHex, randomDataKey, unwrapKey, wrapKey } from "@/lib/crypto";
import { combineShares, matchesPublicKey, splitSecret } from "@/lib/emergency/key-shares";
import { openScope, sealScope, type ScopeContext } from "@/lib/emergency/scope";
import { openBytes, sealBytes } from "@/lib/emergency/seal";
import { stackUnderTest } from "../support/stack-env";
import { signedInClient, type ApiClient } from "../support/api/api-client";
import { addRecord, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
const lower = (account: string) => account.toLowerCase() as `0x${string}`;
const admin = lower(stack.accounts[0]!);
const secondAdmin = lower(stack.accounts[42]!);
const patient = lower(stack.accounts[43]!);
const GAS = { gas: "3000000" };
const OCTETS = { "content-type": "application/octet-stream" };

const adminKeys = { first: testKeys(), second: testKeys() };
const patientKeys = testKeys();
const plaintext = randomBytes(500);

async function doctorContract() {
  const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: Record<string, { address: string } | undefined> } };
  return new new Web3(stack.rpcUrl).eth.Contract(doctorContractAbi, health.chain.contracts.DoctorContract!.address);
}

/** Everything the database holds, as the attacker dumps it. */
async function dumpDatabase() {
  return withDatabase(async (db) => {
    const bytesOf = async (sql: string) => (await db.query<{ b: Buffer }>(sql)).rows.map((row) => new Uint8Array(row.b));
    return {
      shares: await bytesOf("SELECT sealed_share AS b FROM emergency_shares"),
      released: await bytesOf("SELECT sealed_for_doctor AS b FROM emergency_released_shares"),
      notes: await bytesOf("SELECT sealed_note AS b FROM emergency_notes"),
      scopes: await bytesOf("SELECT sealed_scope AS b FROM emergency_configs"),
      emergencyWrapped: await bytesOf("SELECT wrapped_key AS b FROM emergency_wrapped_keys"),
      wrapped: await bytesOf("SELECT wrapped_key AS b FROM wrapped_keys"),
    };
  });
}

const tryOpen = (sealed: Uint8Array, secretKey: Uint8Array) => {
  try {
    return openBytes(sealed, secretKey);
  } catch {
    return undefined;
  }
};
const tryUnwrap = (wrapped: Uint8Array, secretKey: Uint8Array) => {
  try {
    return unwrapKey(wrapped, secretKey);
  } catch {
    return undefined;
  }
};

describe("emergency access threshold: the database and one administrator's key open nothing", () => {
  let client: ApiClient;
  let emergencyPublicKey = "";
  let ciphertext: Uint8Array;

  before(async () => {
    const contract = await doctorContract();
    if (!(await contract.methods.isAdmin(secondAdmin).call())) await contract.methods.addAdmin(secondAdmin).send({ from: admin, ...GAS });
    await contract.methods.setAdminEncryptionKey(adminKeys.first.publicKeyHex).send({ from: admin, ...GAS });
    await contract.methods.setAdminEncryptionKey(adminKeys.second.publicKeyHex).send({ from: secondAdmin, ...GAS });
    // The patient may already be registered (by the integration test, with another key): the record's contents
    // here are random bytes either way.
    await registerPatient(patient, patientKeys.publicKeyHex).catch(() => undefined);
    client = await signedInClient(patient);
  });
  after(async () => {
    const contract = await doctorContract().catch(() => undefined);
    if (contract && (await contract.methods.isAdmin(secondAdmin).call())) await contract.methods.removeAdmin(secondAdmin).send({ from: admin, ...GAS });
  });

  it("opts in like the patient's browser: one sealed share per administrator, the record's key wrapped for the emergency key", async () => {
    const contract = await doctorContract();
    const reader = { address: patient, publicKey: patientKeys.publicKey };
    const record = await encryptedRecord(plaintext, [reader]);
    ciphertext = record.ciphertext;
    const created = await client.post("/api/uploads", { json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { uploadId } = created.body as { uploadId: string };
    const content = (await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS })).body as { cidDigest: string; codec: number };
    const recordId = await addRecord(patient, patient, content.cidDigest, content.codec);
    assert.equal((await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);

    const version = Number((await contract.methods.emergencyKeyOf(patient).call()).version) + 1;
    const pair = generateKeyPair();
    const shares = await splitSecret(pair.secretKey, 2, 2);
    const body = {
      keyVersion: version,
      publicKey: publicKeyToHex(pair.publicKey),
      sealedScope: bytesToBase64(randomBytes(100)),
      shares: [
        { admin, sealedShare: bytesToBase64(sealBytes(shares[0]!, adminKeys.first.publicKey)) },
        { admin: secondAdmin, sealedShare: bytesToBase64(sealBytes(shares[1]!, adminKeys.second.publicKey)) },
      ],
    };
    assert.equal((await client.put("/api/emergency/enrolment", { json: body })).status, 200);
    const wrapped = encodeWrappedKey(wrapKey(record.dataKey, pair.publicKey));
    assert.equal((await client.put("/api/emergency/keys", { json: { keyVersion: version, keys: [{ recordId, wrappedKey: wrapped }] } })).status, 200);
    await contract.methods.setEmergencyKey(body.publicKey, 2).send({ from: patient, ...GAS });
    emergencyPublicKey = body.publicKey;
    pair.secretKey.fill(0);
    record.dataKey.fill(0);
  });

  it("with the whole database and the first administrator's key, no candidate key matches the chain's and no data key opens", async () => {
    const dump = await dumpDatabase();
    assert.ok(dump.shares.length >= 2 && dump.emergencyWrapped.length >= 1, "the dump holds the shares and the emergency-wrapped keys");
    const secret = adminKeys.first.secretKey;
    const everything = [...dump.shares, ...dump.released, ...dump.notes, ...dump.scopes];
    const opened = everything.map((blob) => tryOpen(blob, secret)).filter((value): value is Uint8Array => value !== undefined);
    // Only the first administrator's own shares open (one per patient opted in since they published this key).
    assert.ok(opened.length >= 1);
    assert.ok(opened.every((share) => share.length === 33), "what opens is Shamir shares, never a whole key");

    // Candidate keys: every opened share alone, every pair of opened shares, each with every 33-byte blob in the
    // database (a sealed share is not a share), and the raw 32-byte prefixes of every blob.
    const raw = [...everything, ...dump.emergencyWrapped, ...dump.wrapped].filter((blob) => blob.length >= 33);
    const candidates: Uint8Array[] = [];
    for (const share of opened) {
      candidates.push(share.subarray(0, 32));
      for (const other of [...opened, ...raw.map((blob) => blob.subarray(0, 33))]) {
        if (other === share) continue;
        try {
          candidates.push(await combineShares([share, other]));
        } catch {
          // not combinable
        }
      }
    }
    for (const blob of raw) candidates.push(blob.subarray(0, 32));
    assert.ok(candidates.length > opened.length);
    assert.equal(candidates.filter((candidate) => matchesPublicKey(candidate, emergencyPublicKey)).length, 0, "no candidate is the emergency key on chain");
    const dataKeys = dump.emergencyWrapped.flatMap((wrapped) => [...candidates, secret].map((candidate) => tryUnwrap(wrapped, candidate)).filter((key) => key !== undefined));
    assert.equal(dataKeys.length, 0, "no emergency-wrapped data key opens");
    const patientWrapped = dump.wrapped.map((wrapped) => tryUnwrap(wrapped, secret)).filter((key) => key !== undefined);
    assert.equal(patientWrapped.length, 0, "nor any data key wrapped for patients or doctors");
  });

  it("control: with the second administrator's key too, the same dump opens the record", async () => {
    const dump = await dumpDatabase();
    const shares = [adminKeys.first.secretKey, adminKeys.second.secretKey].map((secret) => dump.shares.map((blob) => tryOpen(blob, secret)).filter((value) => value !== undefined));
    let found: Uint8Array | undefined;
    for (const a of shares[0]!) {
      for (const b of shares[1]!) {
        const candidate = await combineShares([a!, b!]);
        if (matchesPublicKey(candidate, emergencyPublicKey)) found = candidate;
      }
    }
    assert.ok(found, "two administrators together rebuild the emergency key");
    const dataKey = dump.emergencyWrapped.map((wrapped) => tryUnwrap(wrapped, found!)).find((key) => key !== undefined);
    assert.ok(dataKey);
    assert.ok(Buffer.from(await decryptBytes(dataKey, ciphertext)).equals(plaintext), "and the record decrypts");
  });
});

describe("emergency access: no threshold of one, no scope the server can write", () => {
  it("threshold 1 is refused: splitSecret below 2 throws, and combineShares takes neither one share nor a 32-byte whole key", async () => {
    const pair = generateKeyPair();
    for (const threshold of [1, 0, -1, 1.5]) await assert.rejects(splitSecret(pair.secretKey, 3, threshold), /refused/, `threshold ${threshold}`);
    await assert.rejects(splitSecret(pair.secretKey, 2, 3), /cannot be met/);
    const shares = await splitSecret(pair.secretKey, 3, 2);
    assert.ok(shares.every((share) => share.length === 33 && !Buffer.from(share.subarray(0, 32)).equals(Buffer.from(pair.secretKey))), "no share is the key");
    // One administrator handing over the whole key (as threshold 1 used to make every share) is not a share.
    await assert.rejects(combineShares([pair.secretKey.slice()]), /malformed/);
    await assert.rejects(combineShares([pair.secretKey.slice(), shares[0]!]), /malformed/);
    await assert.rejects(combineShares([shares[0]!]), /Not enough shares/);
    assert.ok(matchesPublicKey(await combineShares([shares[0]!, shares[2]!]), publicKeyToHex(pair.publicKey)), "two shares rebuild it");
  });

  it("a scope sealed by anyone but the patient (the server's 'all records'), replayed from another version or key, or tampered with opens as undefined", () => {
    const keys = testKeys();
    const emergency = generateKeyPair();
    const context: ScopeContext = { patient, keyVersion: 3, emergencyPublicKey: publicKeyToHex(emergency.publicKey) };
    const chosen = { kind: "categories" as const, categories: ["lab-result" as const] };
    const sealed = sealScope(chosen, context, keys);
    assert.deepEqual(openScope(sealed, keys.secretKey, context), chosen, "the patient's own scope opens");

    // What the server can make: a sealed box for the patient's public key, old format or with a made-up tag.
    const forge = (plaintext: unknown) => {
      const dataKey = randomDataKey();
      const wrapped = wrapKey(dataKey, keys.publicKey);
      const ciphertext = encryptJson(dataKey, plaintext);
      return bytesToBase64(new Uint8Array([...wrapped, ...ciphertext]));
    };
    assert.equal(openScope(forge({ kind: "all" }), keys.secretKey, context), undefined, "the unauthenticated format");
    assert.equal(openScope(forge({ scope: { kind: "all" }, tag: bytesToBase64(randomBytes(32)) }), keys.secretKey, context), undefined, "a made-up tag");
    // Another patient's own valid scope, sealed under their key, re-wrapped for this patient by the server.
    const other = testKeys();
    assert.equal(openScope(sealScope({ kind: "all" }, context, { publicKey: keys.publicKey, secretKey: other.secretKey }), keys.secretKey, context), undefined, "tagged under another key");
    // The patient's earlier "all records" scope of another version or emergency key, replayed.
    const earlier = sealScope({ kind: "all" }, { ...context, keyVersion: 2 }, keys);
    assert.equal(openScope(earlier, keys.secretKey, context), undefined, "another version");
    assert.equal(openScope(sealScope({ kind: "all" }, { ...context, emergencyPublicKey: publicKeyToHex(generateKeyPair().publicKey) }, keys), keys.secretKey, context), undefined, "another key");
    // Flipped bytes and garbage.
    const bytes = Buffer.from(sealed, "base64");
    bytes[bytes.length - 1]! ^= 1;
    assert.equal(openScope(bytes.toString("base64"), keys.secretKey, context), undefined, "tampered");
    assert.equal(openScope(bytesToBase64(randomBytes(100)), keys.secretKey, context), undefined, "garbage");
  });
});
