import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Web3 } from "web3";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import { cidOfBytes } from "@/lib/ipfs/browser-cid";
import { startApp, type RunningApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { addRecord, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * IPFS unavailable during an upload. A second server from the same build, on the shared database and chain,
 * talks to a Kubo node at a closed port (IPFS_API_URL): the upload starts, its content is refused with a clear
 * 503, the browser's clean-up deletes the upload, and nothing is left (no upload row, no record, no
 * transaction). The retry, through the test stack's app whose store works, gives the CID the browser computes
 * for the ciphertext, and exactly one record. Account 54 is the patient.
 */
const stack = stackUnderTest();
const patientAccount = stack.accounts[54]!;
const patient = patientAccount.toLowerCase();
const keys = testKeys();
const OCTETS = { "content-type": "application/octet-stream" };
const IPFS_UNAVAILABLE = { error: { code: "service_unavailable", message: "The IPFS store is not reachable; try again shortly." } };

let broken: RunningApp;
let brokenClient: ApiClient;
let healthy: ApiClient;

async function recordCountOnChain(): Promise<number> {
  const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: { PatientContract: { address: string } } } };
  const web3 = new Web3(stack.rpcUrl);
  const contract = new web3.eth.Contract(patientContractAbi, health.chain.contracts.PatientContract.address);
  return Number(await contract.methods.recordCount(patient).call());
}

const rowsOf = () =>
  withDatabase(async (db) => ({
    uploads: Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM uploads WHERE patient = $1", [patient])).rows[0]!.n),
    records: (await db.query<{ cid: string }>("SELECT cid FROM records WHERE patient = $1", [patient])).rows.map((row) => row.cid),
    pendingKeys: Number(
      (await db.query<{ n: string }>("SELECT count(*) AS n FROM wrapped_keys WHERE recipient = $1 AND status = 'pending'", [patient])).rows[0]!.n,
    ),
  }));

before(async () => {
  await registerPatient(patientAccount, keys.publicKeyHex);
  const port = await freePort();
  const deadIpfs = await freePort();
  broken = await startApp({
    host: "127.0.0.1",
    port,
    distDir: stack.distDir,
    env: { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, IPFS_API_URL: `http://127.0.0.1:${deadIpfs}` },
  });
  brokenClient = new ApiClient(broken.url);
  assert.equal((await brokenClient.signIn(patientAccount)).status, 200);
  healthy = await signedInClient(patientAccount);
});

after(async () => {
  await brokenClient?.post("/api/auth/logout-all");
  await broken?.stop();
});

describe("IPFS unavailable during an upload", () => {
  it("refuses the content with a clear 503 and leaves nothing; the retry gives the same CID and exactly one record", async () => {
    const record = await encryptedRecord(new Uint8Array(300_000).fill(54), [{ address: patient, publicKey: keys.publicKey }]);
    const expectedCid = await cidOfBytes(record.ciphertext);
    const uploadBody = { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys };
    assert.equal(await recordCountOnChain(), 0);

    // 1. The upload starts (no IPFS needed), its content is refused, and the browser deletes the upload.
    const created = await brokenClient.post("/api/uploads", { json: uploadBody });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const uploadId = (created.body as { uploadId: string }).uploadId;
    const content = await brokenClient.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
    assert.deepEqual([content.status, content.body], [503, IPFS_UNAVAILABLE]);
    const health = await brokenClient.get("/api/health");
    assert.deepEqual([health.status, (health.body as { ipfs: unknown }).ipfs], [503, { ok: false, backend: "kubo", error: "The IPFS store is not reachable." }]);
    assert.equal((await brokenClient.delete(`/api/uploads/${uploadId}`)).status, 204);

    // 2. Nothing is left: no upload row, no pending key, no record, no transaction.
    assert.deepEqual(await rowsOf(), { uploads: 0, records: [], pendingKeys: 0 });
    assert.equal(await recordCountOnChain(), 0);

    // 3. The retry with IPFS up: the CID the browser computes, one record on chain and in the key store.
    const retry = await healthy.post("/api/uploads", { json: uploadBody });
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
    const retryId = (retry.body as { uploadId: string }).uploadId;
    const stored = await healthy.put(`/api/uploads/${retryId}/content`, { body: record.ciphertext, headers: OCTETS });
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    const { cid, cidDigest, codec } = stored.body as { cid: string; cidDigest: string; codec: number };
    assert.equal(cid, expectedCid);
    const recordId = await addRecord(patientAccount, patientAccount, cidDigest, codec);
    const confirmed = await healthy.post(`/api/uploads/${retryId}/confirm`, { json: { recordId } });
    assert.deepEqual([confirmed.status, confirmed.body], [200, { recordId, cid: expectedCid }]);

    // 4. The same file sent once more is a conflict, and its clean-up keeps the record's content.
    const again = await healthy.post("/api/uploads", { json: uploadBody });
    const againId = (again.body as { uploadId: string }).uploadId;
    const duplicate = await healthy.put(`/api/uploads/${againId}/content`, { body: record.ciphertext, headers: OCTETS });
    assert.deepEqual([duplicate.status, duplicate.body], [409, { error: { code: "conflict", message: "This encrypted file was already uploaded." } }]);
    assert.equal((await healthy.delete(`/api/uploads/${againId}`)).status, 204);

    const rows = await rowsOf();
    assert.deepEqual({ ...rows, uploads: rows.uploads }, { uploads: 1, records: [expectedCid], pendingKeys: 0 });
    assert.equal(await recordCountOnChain(), 1);
    const download = await healthy.fetch("GET", `/api/records/${recordId}/content`);
    assert.equal(download.status, 200);
    const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
    assert.equal(sha(new Uint8Array(await download.arrayBuffer())), sha(record.ciphertext));
  });
});
