import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { ApiClient } from "../support/api/api-client";
import { testKeys } from "../support/api/fixtures";
import { startFaultStack, type FaultStack } from "../support/fault-stack";

/*
 * Backing services lost while the app runs, on one throw-away stack of its own (the shared test stack is
 * untouched). PostgreSQL: every app connection terminated (pg_terminate_backend), then the server stopped and
 * started again, under load; the app process survives both, each answer is the right 200 or exactly the 503
 * below (no stack trace, nothing else), and after recovery a request succeeds within 5 s. The chain node:
 * stopped, reads that need it answer exactly 503 with a clear message, and once it is back (same data folder,
 * same port) the same app answers right again, without a restart.
 */
const UNAVAILABLE = { error: { code: "service_unavailable", message: "The database is not reachable; try again shortly." } };
const RECOVERY_LIMIT_MS = 5_000;

let fault: FaultStack;
let client: ApiClient;
let account: string;
let expectedKey: { address: string; publicKey: string };

interface Answer {
  at: number;
  path: string;
  status: number;
  body: unknown;
}

/** A request that reads the database only (session, key store). */
async function probe(path: string): Promise<Answer> {
  const answer = await client.get(path);
  return { at: Date.now(), path, status: answer.status, body: answer.body };
}

const paths = () => [`/api/keys/${account}`, "/api/auth/session"];

/** What each path must answer while the database is up. */
function isRight(answer: Answer): boolean {
  if (answer.status !== 200) return false;
  if (answer.path === "/api/auth/session") return (answer.body as { address?: string }).address === account.toLowerCase();
  return JSON.stringify(answer.body) === JSON.stringify(expectedKey);
}
const isUnavailable = (answer: Answer) => answer.status === 503 && JSON.stringify(answer.body) === JSON.stringify(UNAVAILABLE);

/** `workers` callers sending requests back to back until stopped; every answer is kept. */
function hammer(workers = 6) {
  const answers: Answer[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = 0; running; i++) {
      const path = paths()[(worker + i) % 2]!;
      answers.push(await probe(path).catch((error: unknown) => ({ at: Date.now(), path, status: 0, body: String(error) })));
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

/** Polls one request until it is right; the time that took. */
async function timeToFirstSuccess(limitMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs + 2_000) {
    if (isRight(await probe(paths()[0]!))) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Infinity;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const summary = (answers: Answer[]) => answers.filter((a) => !isRight(a) && !isUnavailable(a)).slice(0, 3).map((a) => `${a.status} ${JSON.stringify(a.body)}`);

before(async () => {
  // High limits: these callers send far more than a person would, and this test is not about rate limits.
  fault = await startFaultStack("ehr-faults-db-", { RATE_LIMIT_KEYS: "1000000" });
  account = fault.accounts[1]!;
  const keys = testKeys();
  await fault.patientContract.methods.registerPatient(keys.publicKeyHex).send({ from: account, gas: "3000000" });
  client = new ApiClient(fault.app.url);
  assert.equal((await client.signIn(account)).status, 200);
  const put = await client.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  expectedKey = { address: account.toLowerCase(), publicKey: keys.publicKeyHex.toLowerCase() };
});

after(async () => {
  await fault?.stop();
});

describe("PostgreSQL faults while requests run", () => {
  it("every app connection terminated (pg_terminate_backend): each answer is right or exactly 503, the process lives, 200 again within 5 s", async () => {
    const load = hammer();
    await sleep(500);
    const owner = new pg.Client({ connectionString: fault.ownerDatabaseUrl });
    await owner.connect();
    let terminated: number;
    try {
      const result = await owner.query<{ ok: boolean }>("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE usename = 'ehr_app'");
      terminated = result.rows.filter((row) => row.ok).length;
    } finally {
      await owner.end();
    }
    const recovery = await timeToFirstSuccess(RECOVERY_LIMIT_MS);
    await sleep(300);
    const answers = await load.stop();
    assert.ok(terminated >= 1, "no app connection was open to terminate");
    assert.deepEqual(summary(answers), [], "answers other than the right 200 or the exact 503");
    assert.ok(recovery <= RECOVERY_LIMIT_MS, `first success ${recovery} ms after the termination`);
    assert.ok(answers.filter(isRight).length > 10);
    assert.equal(fault.app.alive(), true);
    console.log(`# pg_terminate_backend: ${terminated} connections ended, ${answers.length} answers (${answers.filter(isUnavailable).length} x 503), right again after ${recovery} ms`);
  });

  it("PostgreSQL stopped and started: exactly 503 during the outage, the process lives, the first request after it succeeds within 5 s", async () => {
    const load = hammer();
    await sleep(500);
    await fault.stopDatabase();
    const down = Date.now();
    await sleep(2_000);
    const health = await fetch(new URL("/api/health", fault.app.url));
    const healthBody = (await health.json()) as { ok: boolean; database: unknown };
    // PostgreSQL serves again from some moment inside startDatabase (which then runs the migrations): the
    // outage is the time before it is called, recovery is counted from when it returns.
    const restarting = Date.now();
    await fault.startDatabase();
    const up = Date.now();
    const recovery = await timeToFirstSuccess(RECOVERY_LIMIT_MS);
    await sleep(300);
    const answers = await load.stop();

    const during = answers.filter((a) => a.at > down + 200 && a.at < restarting);
    assert.ok(during.length >= 5, `only ${during.length} answers during the outage`);
    assert.deepEqual(during.filter((a) => !isUnavailable(a)).map((a) => `${a.status} ${JSON.stringify(a.body)}`), []);
    assert.deepEqual(summary(answers), [], "answers other than the right 200 or the exact 503");
    assert.deepEqual([health.status, healthBody.ok, healthBody.database], [503, false, { ok: false, error: "The database is not reachable." }]);
    assert.ok(recovery <= RECOVERY_LIMIT_MS, `first success ${recovery} ms after PostgreSQL was back`);
    assert.equal(fault.app.alive(), true);
    assert.deepEqual(fault.app.output.filter((line) => /Unhandled|uncaught|unhandledRejection/i.test(line)), []);
    console.log(`# PostgreSQL restart: ${((restarting - down) / 1000).toFixed(1)} s down, ${during.length} answers during it (all 503), started again in ${((up - restarting) / 1000).toFixed(1)} s, right again ${recovery} ms after that`);
  });
});

const CHAIN_UNAVAILABLE = { error: { code: "service_unavailable", message: "The chain node is not reachable; try again shortly." } };
let chainClient: ApiClient;
let chainAccount: string;

/** Reads that go to the chain, with what they answer while it is up. */
const reads = () => [
  { path: "/api/shares", right: { doctors: [] } },
  { path: "/api/doctors", right: { total: 0, offset: 0, doctors: [] } },
  { path: `/api/keys/${chainAccount}`, right: undefined },
];

async function chainReads() {
  const answers = [];
  for (const read of reads().slice(0, 2)) {
    const answer = await chainClient.get(read.path);
    answers.push([read.path, answer.status, answer.body]);
  }
  return answers;
}

describe("the chain node stopped", () => {
  before(async () => {
    chainAccount = fault.accounts[2]!;
    const keys = testKeys();
    await fault.patientContract.methods.registerPatient(keys.publicKeyHex).send({ from: chainAccount, gas: "3000000" });
    chainClient = new ApiClient(fault.app.url);
    assert.equal((await chainClient.signIn(chainAccount)).status, 200);
    assert.equal((await chainClient.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } })).status, 200);
  });

  it("reads answer exactly 503 (chain not reachable) while it is down; the key store still answers; the same process recovers within 5 s of its return", async () => {
    assert.deepEqual(await chainReads(), reads().slice(0, 2).map((read) => [read.path, 200, read.right]));

    await fault.stopChain();
    assert.deepEqual(await chainReads(), reads().slice(0, 2).map((read) => [read.path, 503, CHAIN_UNAVAILABLE]));
    // A read of the key store alone does not need the chain.
    assert.equal((await chainClient.get(reads()[2]!.path)).status, 200);
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
    assert.equal(await fault.patientContract.methods.isPatient(chainAccount).call(), true);
    assert.equal((await fetch(new URL("/api/health", fault.app.url))).status, 200);
    assert.equal(fault.app.alive(), true);
    console.log(`# chain node restart: right again ${recovery} ms after it was back`);
  });
});
