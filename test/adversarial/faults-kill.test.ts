import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { Web3 } from "web3";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import { cidOfBytes } from "@/lib/ipfs/browser-cid";
import { cidChainParts } from "@/lib/ipfs/cid-chain-parts";
import { throwawayStackEnv } from "@/scripts/stack/throwaway";
import { ApiClient } from "../support/api/api-client";
import { encryptedRecord, testKeys } from "../support/api/fixtures";
import type { StackProcessReady } from "../support/stack-process";

/*
 * The stack (as `npm start` runs it: test/support/stack-process.ts) killed with SIGKILL, all its processes at
 * once (chain, PostgreSQL, app: a power cut), in the middle of an upload: one record complete, one whose
 * transaction is mined but not yet confirmed with the key store, one whose content is half sent. The next
 * start on the same data folder comes up (no corrupt chain, database or IPFS folder), every record it holds has
 * its file and its keys, the unconfirmed one confirms, and the half-sent one can be cancelled and sent again.
 * A throw-away stack of its own; its account 3 is the patient.
 */
const OCTETS = { "content-type": "application/octet-stream" };

let dataDir: string;
let env: Record<string, string>;
let running: { child: ChildProcess; ready: StackProcessReady } | undefined;

/** Starts test/support/stack-process.ts in its own process group; resolves with its READY line. */
async function startStackProcess(): Promise<{ child: ChildProcess; ready: StackProcessReady }> {
  // Only the stack's own variables: a DATABASE_URL, RPC_URL or IPFS_API_URL around us would replace its embedded services.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_|RPC_URL|PUBLIC_|IPFS_API_URL|NODE_ENV)/.test(name)));
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/stack-process.ts"], {
    env: { ...inherited, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const ready = await new Promise<StackProcessReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack did not start within 180 s:\n${output}`)), 180_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((entry) => entry.startsWith("READY "));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice("READY ".length)) as StackProcessReady);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack exited during start-up (exit ${code}):\n${output}`));
    });
  });
  return { child, ready };
}

/** Sends `signal` to the whole process group (chain, database, app) and waits for the stack process to end. */
async function killStack(signal: NodeJS.Signals): Promise<void> {
  if (!running) return;
  const { child } = running;
  running = undefined;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid!, signal);
  await exited;
  // The group's other processes (PostgreSQL, next start) end with it; give the kernel a moment to free the ports.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

const contractOf = (ready: StackProcessReady) => {
  const web3 = new Web3(ready.rpcUrl);
  return new web3.eth.Contract(patientContractAbi, ready.addresses.PatientContract);
};

async function addRecordOnChain(ready: StackProcessReady, account: string, cid: string): Promise<string> {
  const { cidDigest, codec } = cidChainParts(cid);
  const receipt = await contractOf(ready).methods.addRecord(account, cidDigest, codec).send({ from: account, gas: "3000000" });
  const event = receipt.events?.RecordAdded;
  return BigInt((Array.isArray(event) ? event[0] : event)!.returnValues.recordId as bigint).toString();
}

/** A body that arrives in 64 KiB pieces, `onSent` told after each. */
function slowBody(bytes: Uint8Array, onSent: (sent: number) => void): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= bytes.length) return controller.close();
      await new Promise((resolve) => setTimeout(resolve, 15));
      const piece = bytes.subarray(offset, offset + 65_536);
      offset += piece.length;
      controller.enqueue(piece);
      onSent(offset);
    },
  });
}

before(async () => {
  const made = await throwawayStackEnv("ehr-faults-kill-");
  dataDir = made.dataDir;
  env = {
    DATA_DIR: dataDir,
    PORT: String(made.env.PORT),
    CHAIN_PORT: String(made.env.CHAIN_PORT),
    EMBEDDED_PG_PORT: String(made.env.EMBEDDED_PG_PORT),
    NEXT_DIST_DIR: process.env.TEST_DIST_DIR || ".next-e2e",
  };
  running = await startStackProcess();
});

after(async () => {
  await killStack("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm start killed with SIGKILL in the middle of an upload", () => {
  it("starts again on the same data, every record has its file and keys, the interrupted uploads finish", { timeout: 600_000 }, async () => {
    let { ready } = running!;
    const web3 = new Web3(ready.rpcUrl);
    const account = (await web3.eth.getAccounts())[3]!;
    const patient = account.toLowerCase();
    const keys = testKeys();
    await contractOf(ready).methods.registerPatient(keys.publicKeyHex).send({ from: account, gas: "3000000" });
    let client = new ApiClient(ready.appUrl);
    assert.equal((await client.signIn(account)).status, 200);
    const readers = [{ address: patient, publicKey: keys.publicKey }];
    const complete = await encryptedRecord(new Uint8Array(300_000).fill(1), readers);
    const mined = await encryptedRecord(new Uint8Array(200_000).fill(2), readers);
    const halfSent = await encryptedRecord(new Uint8Array(3_000_000).fill(3), readers);
    const createUpload = async (record: typeof complete) => {
      const created = await client.post("/api/uploads", {
        json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return (created.body as { uploadId: string }).uploadId;
    };
    const sendContent = async (uploadId: string, record: typeof complete) => {
      const answer = await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body as { cid: string }).cid;
    };

    // 1. A complete record; a record on chain whose confirm has not been sent; a content PUT in progress.
    const completeId = await createUpload(complete);
    const completeRecord = await addRecordOnChain(ready, account, await sendContent(completeId, complete));
    assert.equal((await client.post(`/api/uploads/${completeId}/confirm`, { json: { recordId: completeRecord } })).status, 200);
    const minedId = await createUpload(mined);
    const minedRecord = await addRecordOnChain(ready, account, await sendContent(minedId, mined));
    const halfId = await createUpload(halfSent);
    let killedAt = 0;
    let killed: Promise<void> | undefined;
    const sending = client
      .fetch("PUT", `/api/uploads/${halfId}/content`, {
        headers: OCTETS,
        body: slowBody(halfSent.ciphertext, (sent) => {
          if (sent >= 1_000_000 && !killedAt) {
            killedAt = sent;
            killed = killStack("SIGKILL");
          }
        }),
        duplex: "half",
      } as RequestInit)
      .then((response) => `answered ${response.status}`, () => "connection lost");

    // 2. SIGKILL to every process of the stack at once.
    assert.equal(await sending, "connection lost");
    await killed;

    // 3. The next start on the same folder comes up healthy (chain, database and IPFS folders open).
    const restartedAt = Date.now();
    running = await startStackProcess();
    ready = running.ready;
    const restartSeconds = (Date.now() - restartedAt) / 1000;
    const health = await fetch(new URL("/api/health", ready.appUrl));
    assert.equal(health.status, 200, await health.clone().text());
    client = new ApiClient(ready.appUrl);
    assert.equal((await client.signIn(account)).status, 200);

    // 4. The record on chain but unconfirmed confirms; the half-sent upload is cancelled and sent again.
    const confirmed = await client.post(`/api/uploads/${minedId}/confirm`, { json: { recordId: minedRecord } });
    assert.deepEqual([confirmed.status, confirmed.body], [200, { recordId: minedRecord, cid: await cidOfBytes(mined.ciphertext) }]);
    assert.equal((await client.delete(`/api/uploads/${halfId}`)).status, 204);
    const retryId = await createUpload(halfSent);
    const retryCid = await sendContent(retryId, halfSent);
    assert.equal(retryCid, await cidOfBytes(halfSent.ciphertext));
    const retryRecord = await addRecordOnChain(ready, account, retryCid);
    assert.equal((await client.post(`/api/uploads/${retryId}/confirm`, { json: { recordId: retryRecord } })).status, 200);

    // 5. Every record the key store holds: its key opens for the patient, its file is whole, the chain names it.
    const db = new pg.Client({ connectionString: ready.databaseUrl });
    await db.connect();
    let rows: Array<{ record_id: string; cid: string; keys: string }>;
    let unconfirmed: number;
    try {
      rows = (
        await db.query<{ record_id: string; cid: string; keys: string }>(
          `SELECT r.record_id::text AS record_id, r.cid, (SELECT count(*) FROM wrapped_keys k WHERE k.record_id = r.record_id AND k.recipient = r.patient AND k.status = 'confirmed')::text AS keys
           FROM records r ORDER BY r.record_id`,
        )
      ).rows;
      unconfirmed = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM uploads WHERE status <> 'confirmed'")).rows[0]!.n);
    } finally {
      await db.end();
    }
    const expected = new Map([
      [completeRecord, complete],
      [minedRecord, mined],
      [retryRecord, halfSent],
    ]);
    assert.deepEqual(rows.map((row) => [row.record_id, row.keys]).sort(), [...expected.keys()].map((id) => [id, "1"]).sort());
    for (const row of rows) {
      const record = expected.get(row.record_id)!;
      const key = await client.get(`/api/records/${row.record_id}/key`);
      assert.deepEqual([key.status, (key.body as { wrappedKey?: string }).wrappedKey], [200, record.wrappedKeys[0]!.wrappedKey]);
      const content = await client.fetch("GET", `/api/records/${row.record_id}/content`);
      assert.equal(content.status, 200);
      const bytes = new Uint8Array(await content.arrayBuffer());
      assert.equal(Buffer.compare(Buffer.from(bytes), Buffer.from(record.ciphertext)), 0, `record ${row.record_id}'s file differs`);
      assert.equal(await cidOfBytes(bytes), row.cid);
      const onChain = await contractOf(ready).methods.getRecord(row.record_id).call();
      assert.equal(String(onChain.cidDigest).toLowerCase(), cidChainParts(row.cid).cidDigest);
    }
    assert.equal(Number(await contractOf(ready).methods.recordCount(account).call()), rows.length);
    assert.equal(unconfirmed, 0);
    console.log(`# SIGKILL after ${killedAt} of ${halfSent.ciphertext.length} bytes sent; restarted in ${restartSeconds.toFixed(0)} s; ${rows.length} records whole`);
  });

  it("after a SIGKILL of the stack's own process only, the next start stops the PostgreSQL and app it left behind and resumes", { timeout: 600_000 }, async () => {
    const { child, ready } = running!;
    const web3 = new Web3(ready.rpcUrl);
    const account = (await web3.eth.getAccounts())[3]!;
    const records = Number(await contractOf(ready).methods.recordCount(account).call());
    assert.ok(records > 0);
    running = undefined;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid!, "SIGKILL");
    await exited;
    // Its children outlive it: the orphaned app server still answers and PostgreSQL still holds its port.
    assert.notEqual(await fetch(new URL("/api/health", ready.appUrl)).then((response) => response.status, () => 0), 0);

    running = await startStackProcess();
    const health = await fetch(new URL("/api/health", running.ready.appUrl));
    assert.equal(health.status, 200, await health.clone().text());
    assert.equal(Number(await contractOf(running.ready).methods.recordCount(account).call()), records);
    const client = new ApiClient(running.ready.appUrl);
    assert.equal((await client.signIn(account)).status, 200);
  });
});
