import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { bytesToBase64, decryptJson, base64ToBytes, encryptBytes, encryptJson, publicKeyFromHex, randomDataKey, wrapKey } from "@/lib/crypto";
import { launchChromium } from "../support/browser";
import { type ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, grantAllAccess, revokeAllAccess } from "../support/api/chain";
import { ensureDoctor, ensurePatient } from "../support/api/chain-identities";
import { withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";
import { openSignedIn } from "../support/story";

/*
 * SQL metacharacters and script markup in every text field are stored and shown as text, never run: the
 * doctor registry's name and specialty (plain text on chain) through every route that shows them, search
 * strings, and the encrypted fields (record metadata, profile) the server only ever holds as ciphertext;
 * one browser check that the admin portal shows the markup as text and runs none of it.
 * Accounts: 62 a doctor named with markup (also a patient in uploads.test.ts), 63 a patient (also there).
 */
const stack = stackUnderTest();
const doctor = stack.accounts[62]!.toLowerCase();
const patient = stack.accounts[63]!.toLowerCase();
/** Fits the contract's 100-byte limit for each. */
const NAME = `Dr <img src=x onerror="window.__xss=1">'); DROP TABLE records;--`;
const SPECIALTY = `"><script>window.__xss=2</script>' OR '1'='1`;
const PAYLOADS = [
  "'; DROP TABLE records; --",
  `" OR "1"="1`,
  "Robert'); DELETE FROM key_audit; --",
  "<script>window.__xss=3</script>",
  `<img src=x onerror="window.__xss=4">`,
  "\\'; SELECT pg_sleep(5); --",
  "${7*7} {{7*7}} %s %n \u0000 \u202e",
];

let alice: ApiClient;
let dora: ApiClient;
let patientKey: Uint8Array;

const tableCounts = () =>
  withDatabase(async (db) => (await db.query<{ records: string; audit: string }>("SELECT (SELECT count(*) FROM records)::text AS records, (SELECT count(*) FROM key_audit)::text AS audit")).rows[0]!);

before(async () => {
  await ensureDoctor(doctor, { name: NAME, specialty: SPECIALTY });
  patientKey = publicKeyFromHex(await ensurePatient(patient));
  alice = await signedInClient(patient);
  dora = await signedInClient(doctor);
  await grantAllAccess(patient, doctor);
});

after(async () => {
  await revokeAllAccess(patient, doctor);
  await alice.post("/api/auth/logout-all");
  await dora.post("/api/auth/logout-all");
});

describe("SQL metacharacters and markup are data, at the API", () => {
  it("a doctor's name and specialty come back byte for byte as JSON strings, from the registry, the shares and the doctor's patients", async () => {
    const registry = await alice.get(`/api/doctors?q=${encodeURIComponent("DROP TABLE records")}`);
    assert.equal(registry.status, 200);
    assert.equal(registry.headers.get("content-type"), "application/json");
    assert.equal(registry.headers.get("x-content-type-options"), "nosniff");
    const entry = (registry.body as { total: number; doctors: Array<{ address: string; name: string; specialty: string }> }).doctors.find((d) => d.address === doctor);
    assert.deepEqual([entry?.name, entry?.specialty], [NAME, SPECIALTY]);
    const shares = (await alice.get("/api/shares")).body as { doctors: Array<{ doctor: string; name: string; specialty: string }> };
    assert.deepEqual(
      shares.doctors.filter((d) => d.doctor === doctor).map((d) => [d.name, d.specialty]),
      [[NAME, SPECIALTY]],
    );
  });

  it("search strings full of SQL and markup match as plain substrings, never as queries", async () => {
    const before = await tableCounts();
    for (const q of [...PAYLOADS, "' OR '1'='1", "%", "_", ".*", "\\"]) {
      const answer = await alice.get(`/api/doctors?q=${encodeURIComponent(q.replaceAll("\u0000", ""))}`);
      assert.equal(answer.status, 200, `${q}: ${JSON.stringify(answer.body)}`);
      const found = (answer.body as { doctors: Array<{ name: string; specialty: string; address: string }> }).doctors;
      const needle = q.replaceAll("\u0000", "").trim().toLowerCase();
      for (const d of found) assert.ok([d.name, d.specialty, d.address].some((text) => text.toLowerCase().includes(needle)), `${q} matched ${d.name}`);
    }
    assert.deepEqual(await tableCounts(), before);
  });

  it("encrypted record metadata and the profile carry any text and come back exactly: the server holds only ciphertext", async () => {
    const metadata = { title: PAYLOADS[0], hospital: PAYLOADS[3], reason: PAYLOADS.join(" | "), fileName: `${PAYLOADS[4]}.pdf` };
    const dataKey = randomDataKey();
    const ciphertext = await encryptBytes(dataKey, new TextEncoder().encode("%PDF-1.7 injection"));
    const created = await alice.post("/api/uploads", {
      json: { patient, size: ciphertext.length, encryptedMetadata: bytesToBase64(encryptJson(dataKey, metadata)), wrappedKeys: [{ recipient: patient, wrappedKey: bytesToBase64(wrapKey(dataKey, patientKey)) }] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { uploadId } = created.body as { uploadId: string };
    const content = await alice.put(`/api/uploads/${uploadId}/content`, { body: ciphertext, headers: { "content-type": "application/octet-stream" } });
    const stored = content.body as { cidDigest: string; codec: number };
    const recordId = await addRecord(patient, patient, stored.cidDigest, stored.codec);
    assert.equal((await alice.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
    const key = (await alice.get(`/api/records/${recordId}/key`)).body as { encryptedMetadata: string };
    assert.deepEqual(decryptJson(dataKey, base64ToBytes(key.encryptedMetadata)), metadata);
    // What PostgreSQL holds is ciphertext: none of the payloads appear in the row.
    const row = await withDatabase(async (db) => (await db.query<{ m: Buffer }>("SELECT encrypted_metadata AS m FROM records WHERE record_id = $1", [recordId])).rows[0]!.m);
    for (const payload of PAYLOADS.slice(0, 5)) assert.equal(row.includes(Buffer.from(payload)), false, payload);

    const profile = { encryptedProfile: bytesToBase64(encryptJson(dataKey, { name: PAYLOADS[2], address: PAYLOADS[4] })), wrappedKey: bytesToBase64(wrapKey(dataKey, patientKey)) };
    assert.equal((await alice.put("/api/profile", { json: profile })).status, 200);
    assert.deepEqual(decryptJson(dataKey, base64ToBytes(((await alice.get("/api/profile")).body as { encryptedProfile: string }).encryptedProfile)), {
      name: PAYLOADS[2],
      address: PAYLOADS[4],
    });
  });

  it("metacharacters in ids and addresses are refused (422) before any query", async () => {
    const before = await tableCounts();
    const bad = ["0x' OR '1'='1", "1 OR 1=1", "1;DROP TABLE records", "<script>"];
    for (const value of bad) {
      const encoded = encodeURIComponent(value);
      assert.equal((await alice.get(`/api/keys/${encoded}`)).status, 422, value);
      assert.equal((await alice.get(`/api/records/${encoded}/key`)).status, 422, value);
      assert.equal((await alice.post("/api/records/query", { json: { recordIds: [value] } })).status, 422, value);
      assert.equal((await alice.post("/api/uploads", { json: { patient: value, size: 10, encryptedMetadata: "AAAA", wrappedKeys: [] } })).status, 422, value);
    }
    assert.deepEqual(await tableCounts(), before);
  });
});

describe("SQL metacharacters and markup are text, in the browser", () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it("the admin portal lists the doctor named with markup as text: no element injected, no script run", async () => {
    const { context, page } = await openSignedIn(browser, { account: stack.accounts[0]!, route: "/admin", role: "admin" });
    try {
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.getByTestId("admin-dashboard").waitFor();
      await page.getByLabel("Search doctors").fill("DROP TABLE");
      const row = page.locator(`[data-testid="doctor-row"][data-address="${doctor}"]`);
      await row.waitFor();
      const text = await row.innerText();
      assert.ok(text.includes(NAME), text);
      assert.ok(text.includes(SPECIALTY), text);
      assert.equal(await page.locator('img[src="x"]').count(), 0);
      assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
      assert.deepEqual(dialogs, []);
    } finally {
      await context.close();
    }
  });
});
