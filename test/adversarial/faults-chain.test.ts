import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../support/api/api-client";
import { testKeys } from "../support/api/fixtures";
import { startFaultStack, type FaultStack } from "../support/fault-stack";

/*
 * The chain node stopped, on a throw-away stack of its own (the shared test stack is untouched): reads that
 * need the chain answer exactly 503 with a clear message, /api/health names the chain, and once the node is
 * back (same data folder, same port) the same app answers right again, without a restart.
 */
const UNAVAILABLE = { error: { code: "service_unavailable", message: "The chain node is not reachable; try again shortly." } };
const RECOVERY_LIMIT_MS = 5_000;

let fault: FaultStack;
let client: ApiClient;
let account: string;

/** Reads that go to the chain, with what they answer while it is up. */
const reads = () => [
  { path: "/api/shares", right: { doctors: [] } },
  { path: "/api/doctors", right: { total: 0, offset: 0, doctors: [] } },
  { path: `/api/keys/${account}`, right: undefined },
];

before(async () => {
  fault = await startFaultStack("ehr-faults-chain-");
  account = fault.accounts[2]!;
  const keys = testKeys();
  await fault.patientContract.methods.registerPatient(keys.publicKeyHex).send({ from: account, gas: "3000000" });
  client = new ApiClient(fault.app.url);
  assert.equal((await client.signIn(account)).status, 200);
  assert.equal((await client.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } })).status, 200);
});

after(async () => {
  await fault?.stop();
});

async function chainReads() {
  const answers = [];
  for (const read of reads().slice(0, 2)) {
    const answer = await client.get(read.path);
    answers.push([read.path, answer.status, answer.body]);
  }
  return answers;
}

describe("the chain node stopped", () => {
  it("reads answer exactly 503 (chain not reachable) while it is down; the key store still answers; the same process recovers within 5 s of its return", async () => {
    assert.deepEqual(await chainReads(), reads().slice(0, 2).map((read) => [read.path, 200, read.right]));

    await fault.stopChain();
    assert.deepEqual(await chainReads(), reads().slice(0, 2).map((read) => [read.path, 503, UNAVAILABLE]));
    // A read of the key store alone does not need the chain.
    assert.equal((await client.get(reads()[2]!.path)).status, 200);
    const health = await fetch(new URL("/api/health", fault.app.url));
    const body = (await health.json()) as { ok: boolean; chain: { ok: boolean; error?: string }; database: { ok: boolean } };
    assert.deepEqual([health.status, body.ok, body.chain.ok, body.chain.error, body.database.ok], [503, false, false, "The chain node is not reachable.", true]);

    await fault.startChain();
    const back = Date.now();
    let answers = await chainReads();
    while (answers.some(([, status]) => status !== 200) && Date.now() - back < RECOVERY_LIMIT_MS + 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answers = await chainReads();
    }
    const recovery = Date.now() - back;
    assert.deepEqual(answers, reads().slice(0, 2).map((read) => [read.path, 200, read.right]));
    assert.ok(recovery <= RECOVERY_LIMIT_MS, `right again only ${recovery} ms after the node was back`);
    // The chain kept its state: the patient registered before the outage still is one.
    assert.equal(await fault.patientContract.methods.isPatient(account).call(), true);
    assert.equal((await fetch(new URL("/api/health", fault.app.url))).status, 200);
    assert.equal(fault.app.alive(), true);
    console.log(`# chain node restart: right again ${recovery} ms after it was back`);
  });
});
