import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { decryptBytes, encryptBytes, encryptedSize, publicKeyFromHex } from "@/lib/crypto";
import { uploadRecord, UploadError } from "@/lib/records/client/upload";
import { validateUploadForm } from "@/lib/records/client/upload-form";
import { startApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord } from "../support/api/chain";
import { ensurePatient, nodeBrowserChain } from "../support/api/chain-identities";
import { encryptedRecord, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Uploads under attack: the per-patient caps (pending uploads, stored bytes) refuse before anything is stored
 * and free their slot on confirm or cancel; bodies over the limit are 413 before anything is pinned; content
 * that is not a PDF (browser) or not an encrypted envelope (server) is refused; a body at the limit arrives
 * whole; a CID or any malformed value where an id is expected is a 422.
 * Accounts: 61 (pending cap), 62 (storage cap, on a second app instance), 63 (limits and hashes); 62 and 63
 * are also used by injection.test.ts (62 as a doctor), hence ensurePatient.
 */
const stack = stackUnderTest();
const OCTETS = { "content-type": "application/octet-stream" };
const MAX_BYTES = encryptedSize(Number(stack.appEnv.MAX_UPLOAD_BYTES));
const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

interface Patient {
  account: string;
  address: string;
  /** The patient's public key on chain (wrapped keys are made for it; no test here needs to open them). */
  publicKey: Uint8Array;
  client: ApiClient;
}
const patients: Record<"pending" | "quota" | "limits", Patient> = {} as never;

before(async () => {
  for (const [role, index] of [["pending", 61], ["quota", 62], ["limits", 63]] as const) {
    const account = stack.accounts[index]!;
    const publicKey = publicKeyFromHex(await ensurePatient(account));
    patients[role] = { account, address: account.toLowerCase(), publicKey, client: await signedInClient(account) };
  }
});

after(async () => {
  // No unconfirmed upload is left behind (the browser tests count them across the shared database).
  for (const patient of Object.values(patients)) {
    const ids = await withDatabase(async (db) => (await db.query<{ id: string }>("SELECT id FROM uploads WHERE patient = $1 AND status <> 'confirmed'", [patient.address])).rows);
    for (const { id } of ids) await patient.client.delete(`/api/uploads/${id}`);
    await patient.client.post("/api/auth/logout-all");
  }
});

/** POST /api/uploads for the patient's own record of `size` declared bytes (keys are well-formed, never used). */
function startUpload(client: ApiClient, patient: Patient, size: number) {
  return client.post("/api/uploads", {
    json: { patient: patient.address, size, encryptedMetadata: "AAAA", wrappedKeys: [{ recipient: patient.address, wrappedKey: "A".repeat(108) }] },
  });
}

const uploadRows = (patient: string) =>
  withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM uploads WHERE patient = $1 AND status <> 'confirmed'", [patient])).rows[0]!.n));
const pinCount = async () => (await readdir(path.join(stack.dataDir, "ipfs", "pins")).catch(() => [])).length;

/** A real record for the patient: created, content sent, added on chain and confirmed. */
async function confirmedRecord(client: ApiClient, patient: Patient, fill: number) {
  const record = await encryptedRecord(new Uint8Array(200).fill(fill), [{ address: patient.address, publicKey: patient.publicKey }]);
  const created = await client.post("/api/uploads", {
    json: { patient: patient.address, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  assert.equal(content.status, 200, JSON.stringify(content.body));
  const stored = content.body as { cidDigest: string; codec: number };
  const recordId = await addRecord(patient.account, patient.account, stored.cidDigest, stored.codec);
  assert.equal((await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
  return { recordId, size: record.ciphertext.length };
}

describe("per-patient cap on pending uploads (MAX_PENDING_UPLOADS_PER_PATIENT, default 10)", () => {
  const TOO_MANY = error("rate_limited", "10 uploads for this patient are waiting to be finished; finish or cancel one before starting another.", {
    reason: "pending_uploads",
    limit: 10,
  });

  it("the 11th unfinished upload is a 429 with reason pending_uploads, and nothing is stored", async () => {
    const { client, address } = patients.pending;
    assert.equal(await uploadRows(address), 0);
    for (let i = 0; i < 10; i++) assert.equal((await startUpload(client, patients.pending, 1000)).status, 201);
    const refused = await startUpload(client, patients.pending, 1000);
    assert.deepEqual([refused.status, refused.body, refused.headers.get("retry-after")], [429, TOO_MANY, null]);
    assert.equal(await uploadRows(address), 10);
  });

  it("a cancelled upload frees its slot; so does a confirmed one", async () => {
    const { client, address } = patients.pending;
    const pending = await withDatabase(async (db) => (await db.query<{ id: string }>("SELECT id FROM uploads WHERE patient = $1 AND status = 'pending' ORDER BY created_at", [address])).rows);
    assert.equal((await client.delete(`/api/uploads/${pending[0]!.id}`)).status, 204);
    assert.equal((await startUpload(client, patients.pending, 1000)).status, 201);
    assert.equal((await startUpload(client, patients.pending, 1000)).status, 429);

    // Finish one: cancel a placeholder to make room for a real record, which is then confirmed.
    assert.equal((await client.delete(`/api/uploads/${pending[1]!.id}`)).status, 204);
    await confirmedRecord(client, patients.pending, 61);
    assert.equal(await uploadRows(address), 9);
    assert.equal((await startUpload(client, patients.pending, 1000)).status, 201);
    assert.deepEqual((await startUpload(client, patients.pending, 1000)).body, TOO_MANY);
  });

  it("parallel starts cannot overshoot the cap: with 7 pending, of 8 parallel starts exactly 3 succeed", async () => {
    const { client, address } = patients.pending;
    const pending = await withDatabase(async (db) => (await db.query<{ id: string }>("SELECT id FROM uploads WHERE patient = $1 AND status = 'pending' ORDER BY created_at LIMIT 3", [address])).rows);
    for (const { id } of pending) assert.equal((await client.delete(`/api/uploads/${id}`)).status, 204);
    assert.equal(await uploadRows(address), 7);
    const answers = await Promise.all(Array.from({ length: 8 }, () => startUpload(client, patients.pending, 1000)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 201, 429, 429, 429, 429, 429]);
    assert.equal(await uploadRows(address), 10);
  });
});

describe("per-patient cap on stored bytes (MAX_STORED_BYTES_PER_PATIENT, default 2 GiB)", () => {
  it("counts records and unfinished uploads; over it is a 413 with reason storage_quota before anything is stored; a cancel frees its bytes", async () => {
    const port = await freePort();
    const quota = 4096;
    const app = await startApp({
      host: "127.0.0.1",
      port,
      distDir: stack.distDir,
      env: { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, MAX_STORED_BYTES_PER_PATIENT: String(quota) },
    });
    try {
      const patient = patients.quota;
      const client = new ApiClient(app.url);
      assert.equal((await client.signIn(patient.account)).status, 200);
      const record = await confirmedRecord(client, patient, 62);
      const rest = quota - record.size;
      const first = await startUpload(client, patient, rest - 100);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal((await startUpload(client, patient, 100)).status, 201, "exactly at the cap is allowed");
      const rowsBefore = await uploadRows(patient.address);
      const refused = await startUpload(client, patient, 1);
      assert.deepEqual([refused.status, refused.body], [
        413,
        error("payload_too_large", `This patient's records may take at most ${quota} encrypted bytes; ${quota} are held and 1 more were declared.`, {
          reason: "storage_quota",
          limit: quota,
          used: quota,
        }),
      ]);
      assert.equal(await uploadRows(patient.address), rowsBefore);
      // A cancel frees its bytes; the confirmed record keeps its own.
      assert.equal((await client.delete(`/api/uploads/${(first.body as { uploadId: string }).uploadId}`)).status, 204);
      assert.equal((await startUpload(client, patient, rest - 100)).status, 201);
      const over = await startUpload(client, patient, 1);
      assert.equal(over.status, 413);
      await client.post("/api/auth/logout-all");
    } finally {
      await app.stop();
    }
  });
});

describe("bodies over the limit: 413 before storage", () => {
  it("a declared size over MAX_UPLOAD_BYTES' envelope is 413 and stores no row", async () => {
    const { client, address } = patients.limits;
    const rows = await uploadRows(address);
    const answer = await startUpload(client, patients.limits, MAX_BYTES + 1);
    assert.deepEqual([answer.status, answer.body], [413, error("payload_too_large", `The encrypted file may be at most ${MAX_BYTES} bytes; ${MAX_BYTES + 1} were declared.`)]);
    assert.equal(await uploadRows(address), rows);
  });

  it("content longer than declared is 413 and pins nothing, with or without Content-Length", async () => {
    const { client, address, publicKey } = patients.limits;
    const record = await encryptedRecord(new Uint8Array(300).fill(3), [{ address, publicKey }]);
    const created = await client.post("/api/uploads", {
      json: { patient: address, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    const { uploadId } = created.body as { uploadId: string };
    const pins = await pinCount();
    const TOO_LONG = error("payload_too_large", `The content is larger than the ${record.ciphertext.length} bytes declared for this upload.`);
    const long = await client.put(`/api/uploads/${uploadId}/content`, { body: Buffer.concat([record.ciphertext, Buffer.alloc(1)]), headers: OCTETS });
    assert.deepEqual([long.status, long.body], [413, TOO_LONG]);
    const streamed = await client.fetch("PUT", `/api/uploads/${uploadId}/content`, {
      body: new Blob([Buffer.from(record.ciphertext), Buffer.alloc(64 * 1024)]).stream(),
      headers: OCTETS,
      duplex: "half",
    } as RequestInit);
    assert.deepEqual([streamed.status, await streamed.json()], [413, TOO_LONG]);
    assert.equal(await pinCount(), pins);
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT cid FROM uploads WHERE id = $1", [uploadId])).rows[0]?.cid), null);
    assert.equal((await client.delete(`/api/uploads/${uploadId}`)).status, 204);
  });
});

describe("content that is not a PDF, or not encrypted, is refused", () => {
  const form = (bytes: Uint8Array, name = "discharge.pdf") => ({
    file: new File([Buffer.from(bytes)], name, { type: "application/pdf" }),
    title: "Discharge letter",
    hospital: "St Elsewhere",
    reason: "Check-up",
    admissionDate: "2026-01-01",
    dischargeDate: "2026-01-02",
    category: "discharge",
  });

  it("the browser refuses a file that is not a PDF by its bytes, whatever its name and type say", async () => {
    const NOT_PDF = "This file is not a PDF (its content does not start with %PDF-), whatever its name says. Choose a PDF document.";
    for (const bytes of [Buffer.from("MZ\x90\x00 an executable"), Buffer.from("<html><script>alert(1)</script>"), Buffer.from(" %PDF-1.7 (leading space)"), Buffer.from("%PDF")]) {
      assert.equal((await validateUploadForm(form(bytes))).file, NOT_PDF, bytes.toString());
    }
    assert.equal((await validateUploadForm(form(Buffer.from("%PDF-1.7\n%%EOF")))).file, undefined);
  });

  it("the server refuses a plaintext PDF (or anything without the EHRF v1 envelope) with 415 and pins nothing", async () => {
    const { client, address } = patients.limits;
    const pdf = Buffer.from(`%PDF-1.7\n${"x".repeat(500)}\n%%EOF`);
    for (const body of [pdf, Buffer.concat([Buffer.from("EHRF\x02"), pdf]), Buffer.concat([Buffer.from("EHR"), pdf])]) {
      const created = await startUpload(client, patients.limits, body.length);
      const { uploadId } = created.body as { uploadId: string };
      const pins = await pinCount();
      const answer = await client.put(`/api/uploads/${uploadId}/content`, { body, headers: OCTETS });
      assert.deepEqual([answer.status, answer.body], [415, error("unsupported_media_type", "The content is not an encrypted record (no EHRF v1 envelope).")]);
      assert.equal(await pinCount(), pins);
      assert.equal((await client.delete(`/api/uploads/${uploadId}`)).status, 204);
    }
    assert.equal(await uploadRows(address), 0);
  });
});

describe("the browser's upload cut during its encryption (the upload is created meanwhile) leaves nothing", () => {
  it("a file whose reading fails halfway: the upload created beside the encryption is deleted, nothing pinned", async () => {
    const { client, address, publicKey } = patients.limits;
    const chain = await nodeBrowserChain(address);
    const realFetch = globalThis.fetch;
    const calls: string[] = [];
    globalThis.fetch = ((input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url, stack.appUrl);
      calls.push(`${init.method ?? "GET"} ${url.pathname.replace(/[0-9a-f-]{36}/, ":id")}`);
      const headers = new Headers(init.headers);
      headers.set("cookie", client.cookie!);
      return realFetch(url, { ...init, headers });
    }) as typeof fetch;
    const size = 3 * 1024 * 1024;
    let served = 0;
    // A file whose second read fails (a disk or a removed USB stick), after the create was sent.
    const file = {
      name: "scan.pdf",
      type: "application/pdf",
      size,
      stream: () =>
        new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            if (served > 0) {
              // Let the create answer first, so that there is an upload to delete.
              while (!calls.includes("POST /api/uploads")) await new Promise((resolve) => setTimeout(resolve, 5));
              await new Promise((resolve) => setTimeout(resolve, 300));
              controller.error(new Error("the file could not be read"));
              return;
            }
            served += 1024 * 1024;
            controller.enqueue(new Uint8Array(1024 * 1024).fill(0x25));
          },
        }),
    } as unknown as File;
    const pins = await pinCount();
    const metadata = { version: 1 as const, title: "Scan", hospital: "H", reason: "R", admissionDate: "2026-01-01", dischargeDate: "2026-01-02", category: "imaging" as const, fileName: "scan.pdf", size, sha256: "0".repeat(64), mimeType: "application/pdf" as const };
    try {
      await assert.rejects(
        uploadRecord({ chain, key: { address, publicKey, publicKeyHex: "", secretKey: new Uint8Array(32) }, file, metadata }, () => {}),
        (thrown: unknown) => !(thrown instanceof UploadError) && thrown instanceof Error && thrown.message === "the file could not be read",
      );
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.deepEqual(calls, ["POST /api/uploads", "DELETE /api/uploads/:id"]);
    assert.equal(await uploadRows(address), 0);
    assert.equal(await pinCount(), pins);
  });
});

describe("a body at the limit arrives whole", () => {
  it("a PDF of exactly MAX_UPLOAD_BYTES: the stored ciphertext hashes as sent, and decrypts to the same PDF", async () => {
    const { client, address, publicKey, account } = patients.limits;
    const plaintext = new Uint8Array(Number(stack.appEnv.MAX_UPLOAD_BYTES));
    plaintext.set(Buffer.from("%PDF-1.7\n"));
    for (let i = 9; i < plaintext.length; i += 997) plaintext[i] = i & 0xff;
    const record = await encryptedRecord(new Uint8Array(1), [{ address, publicKey }]);
    const ciphertext = await encryptBytes(record.dataKey, plaintext);
    assert.equal(ciphertext.length, MAX_BYTES);
    const created = await client.post("/api/uploads", {
      json: { patient: address, size: ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { uploadId } = created.body as { uploadId: string };
    const content = await client.put(`/api/uploads/${uploadId}/content`, { body: ciphertext, headers: OCTETS });
    assert.equal(content.status, 200, JSON.stringify(content.body));
    const stored = content.body as { size: number; cidDigest: string; codec: number };
    assert.equal(stored.size, MAX_BYTES);
    const recordId = await addRecord(account, account, stored.cidDigest, stored.codec);
    assert.equal((await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
    const download = await client.fetch("GET", `/api/records/${recordId}/content`);
    assert.equal(download.status, 200);
    const back = new Uint8Array(await download.arrayBuffer());
    assert.deepEqual([back.length, sha256(back)], [ciphertext.length, sha256(ciphertext)]);
    assert.equal(sha256(await decryptBytes(record.dataKey, back)), sha256(plaintext));
  });
});

describe("a CID, or any malformed value, where an id is expected is a 422", () => {
  const values = [
    "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", // a well-formed CIDv1
    "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", // a well-formed CIDv0
    "bafy!not-a-cid",
    "QmO0Il",
    "1e3",
    "-1",
    "0x10",
    `${"1".repeat(79)}`,
    "1;DROP TABLE records",
  ];
  const invalid = (what: string, path: string, message = "must be a decimal uint256") => error("invalid_input", `${what} is invalid.`, [{ path, message }]);

  for (const value of values) {
    it(`${JSON.stringify(value)} as a record id: 422 on every route that takes one`, async () => {
      const { client } = patients.limits;
      const encoded = encodeURIComponent(value);
      for (const suffix of ["key", "content"]) {
        const answer = await client.get(`/api/records/${encoded}/${suffix}`);
        assert.deepEqual([answer.status, answer.body], [422, invalid("The record id", "")], suffix);
      }
      const query = await client.post("/api/records/query", { json: { recordIds: [value] } });
      assert.deepEqual([query.status, query.body], [422, invalid("The request body", "recordIds.0")]);
      const prune = await client.post("/api/shares/prune", { json: { doctor: `0x${"5a".repeat(20)}`, recordIds: [value] } });
      assert.deepEqual([prune.status, prune.body], [422, invalid("The request body", "recordIds.0")]);
      const share = await client.put("/api/shares/keys", { json: { doctor: `0x${"5a".repeat(20)}`, keys: [{ recordId: value, wrappedKey: "A".repeat(108) }] } });
      assert.deepEqual([share.status, share.body], [422, invalid("The request body", "keys.0.recordId")]);
      const upload = await startUpload(client, patients.limits, 1000);
      const uploadId = (upload.body as { uploadId: string }).uploadId;
      const confirm = await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId: value } });
      assert.deepEqual([confirm.status, confirm.body], [422, invalid("The request body", "recordId")]);
      assert.equal((await client.delete(`/api/uploads/${uploadId}`)).status, 204);
    });
  }
});
