// Item 4: a signed-in doctor's key request (GET /api/records/:id/key: session, rate limits, canRead at the
// latest block, the grant's expiry, the RecordAccessed event, the indexed key lookup, one audit row) under 50
// concurrent clients for 20 s, against a bare `SELECT 1` route (/api/bench/select-1, enabled only by
// EHR_BENCH_ROUTES=1) on the same server and the same database pool. On a stack of its own.
// The 20 s of each route run as 4 alternating rounds (median ratio), with the CPU per request of each process.
//   node --import tsx bench/keys/run.ts            (also part of `npm run bench`)
import { randomBytes } from "node:crypto";
import { bytesToBase64, wrapKey } from "@/lib/crypto";
import { signedInClient, type ApiClient } from "@/test/support/api/api-client";
import { addRecord, grantAccess, logAccess, registerDoctor, registerPatient } from "@/test/support/api/chain";
import { encryptedRecord, testKeys } from "@/test/support/api/fixtures";
import { startBenchStack } from "../lib/bench-stack";
import { load, type LoadResult } from "../lib/load";
import { fmt, median, printTable, writeResults, type SummaryRow } from "../lib/stats";

const CONNECTIONS = Number(process.env.BENCH_KEYS_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_KEYS_SECONDS ?? 20);
/**
 * The SECONDS of each route are split into this many rounds, alternating baseline and key requests, and the
 * ratios are the medians of the rounds': on a shared machine a neighbour's burst then shifts one round, not
 * the whole comparison.
 */
const ROUNDS = Number(process.env.BENCH_KEYS_ROUNDS ?? 4);
const WARM_SECONDS = 3;
const TARGET = { p99Ms: 50, requestsPerSecond: 500 };
const OCTETS = { "content-type": "application/octet-stream" };

/** The rounds of one route as one result: requests and errors summed, rates over the total time, p50/p99 the rounds' median. */
function combine(rounds: LoadResult[], secondsEach: number): LoadResult {
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  const statusCodes: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  for (const round of rounds) {
    for (const [code, count] of Object.entries(round.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
    for (const [group, ms] of Object.entries(round.cpuMsPerRequest)) cpu[group] = (cpu[group] ?? 0) + ms * round.requests;
  }
  return {
    requests,
    requestsPerSecond: requests / (secondsEach * rounds.length),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    maxMs: Math.max(...rounds.map((r) => r.maxMs)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    statusCodes,
    cpuMsPerRequest: Object.fromEntries(Object.entries(cpu).map(([group, total]) => [group, total / Math.max(1, requests)])),
  };
}

const cpuText = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .filter(([, ms]) => ms >= 0.005)
    .map(([group, ms]) => `${group} ${fmt(ms, 2)}`)
    .join(", ");

/** A 200-byte record of `patient`, uploaded through the API as the browser does it; returns its id and data key. */
async function storeRecord(client: ApiClient, patient: string, publicKey: Uint8Array): Promise<{ recordId: string; dataKey: Uint8Array }> {
  const record = await encryptedRecord(randomBytes(200), [{ address: patient, publicKey }]);
  const created = await client.post("/api/uploads", {
    json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const { uploadId } = created.body as { uploadId: string };
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS });
  if (content.status !== 200) throw new Error(`content: ${content.status}`);
  const { cidDigest, codec } = content.body as { cidDigest: string; codec: number };
  const recordId = await addRecord(patient, patient, cidDigest, codec);
  const confirmed = await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } });
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status}`);
  return { recordId, dataKey: record.dataKey };
}

export async function main() {
  // The limits stay on (every request still consumes its points in PostgreSQL), high enough that 50 clients
  // from one address measure the route, not the limiter's 429.
  // The app inherits this process's environment (scripts/stack/app.ts).
  Object.assign(process.env, { EHR_BENCH_ROUTES: "1", RATE_LIMIT_KEYS: "100000000" });
  const bench = await startBenchStack({ env: { RATE_LIMIT_KEYS: "100000000" } });
  try {
    const [admin, patient, doctor] = [bench.accounts[0]!, bench.accounts[13]!.toLowerCase(), bench.accounts[14]!.toLowerCase()];
    const patientKeys = testKeys();
    const doctorKeys = testKeys();
    await registerPatient(patient, patientKeys.publicKeyHex);
    await registerDoctor(admin, doctor, doctorKeys.publicKeyHex, { name: "Dr Bench", specialty: "Cardiology" });
    const patientClient = await signedInClient(patient);
    const doctorClient = await signedInClient(doctor);
    for (const [client, keys] of [[patientClient, patientKeys], [doctorClient, doctorKeys]] as const) {
      const stored = await client.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } });
      if (stored.status !== 200) throw new Error(`key store: ${stored.status} ${JSON.stringify(stored.body)}`);
    }
    const { recordId, dataKey } = await storeRecord(patientClient, patient, patientKeys.publicKey);
    // Sharing as the patient's browser does it: the data key re-wrapped for the doctor, then the grant.
    const shared = await patientClient.put("/api/shares/keys", {
      json: { doctor, keys: [{ recordId, wrappedKey: bytesToBase64(wrapKey(dataKey, doctorKeys.publicKey)) }] },
    });
    if (shared.status !== 200) throw new Error(`share keys: ${shared.status} ${JSON.stringify(shared.body)}`);
    await grantAccess(patient, doctor, [recordId]);
    await logAccess(doctor, recordId);
    const first = await doctorClient.get(`/api/records/${recordId}/key`);
    if (first.status !== 200) throw new Error(`the doctor's key request: ${first.status} ${JSON.stringify(first.body)}`);

    const base = bench.stack.app!.url;
    const keyUrl = `${base}/api/records/${recordId}/key`;
    const selectUrl = `${base}/api/bench/select-1`;
    const headers = { cookie: doctorClient.cookie! };
    // Warm both routes (first requests compile code paths and open pool connections), then measure each.
    await load(selectUrl, { connections: CONNECTIONS, seconds: WARM_SECONDS });
    await load(keyUrl, { connections: CONNECTIONS, seconds: WARM_SECONDS, headers });
    const secondsEach = SECONDS / ROUNDS;
    const baselineRounds: LoadResult[] = [];
    const keyRounds: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baselineRounds.push(await load(selectUrl, { connections: CONNECTIONS, seconds: secondsEach }));
      keyRounds.push(await load(keyUrl, { connections: CONNECTIONS, seconds: secondsEach, headers }));
    }
    const baseline = combine(baselineRounds, secondsEach);
    const keys = combine(keyRounds, secondsEach);
    const throughputRatio = median(keyRounds.map((k, i) => k.requestsPerSecond / baselineRounds[i]!.requestsPerSecond));
    const p99Ratio = median(keyRounds.map((k, i) => k.p99Ms / Math.max(1, baselineRounds[i]!.p99Ms)));
    const cpuTotal = (cpu: Record<string, number>) => Object.values(cpu).reduce((sum, ms) => sum + ms, 0);

    const pass = keys.p99Ms <= TARGET.p99Ms && keys.requestsPerSecond >= TARGET.requestsPerSecond && keys.errors === 0;
    const summary: SummaryRow[] = [
      {
        bench: "keys",
        what: `doctor's key request, ${CONNECTIONS} clients for ${SECONDS} s`,
        measured: `${fmt(keys.requestsPerSecond)} req/s, p99 ${fmt(keys.p99Ms)} ms, ${fmt(keys.errors)} errors`,
        baseline: `SELECT 1 route ${fmt(baseline.requestsPerSecond)} req/s, p99 ${fmt(baseline.p99Ms)} ms`,
        ratio: `${fmt(throughputRatio, 2)}x req/s, ${fmt(p99Ratio, 1)}x p99 (median of ${ROUNDS} rounds)`,
        target: `p99 <= ${TARGET.p99Ms} ms, >= ${TARGET.requestsPerSecond} req/s, 0 errors`,
        pass,
      },
    ];
    const file = writeResults("keys", {
      connections: CONNECTIONS,
      seconds: SECONDS,
      route: "GET /api/records/:recordId/key (doctor, per-record grant, RecordAccessed logged)",
      baselineRoute: "GET /api/bench/select-1",
      keys,
      baseline,
      rounds: ROUNDS,
      throughputRatio,
      p99Ratio,
      keyRounds,
      baselineRounds,
      // What each request costs in CPU across the stack (2 cores shared by all of it and the load generator).
      cpuMsPerRequest: { keys: keys.cpuMsPerRequest, baseline: baseline.cpuMsPerRequest },
      cpuRatio: cpuTotal(keys.cpuMsPerRequest) / Math.max(0.001, cpuTotal(baseline.cpuMsPerRequest)),
      summary,
    });
    printTable(summary);
    if (Object.keys(keys.cpuMsPerRequest).length > 1) {
      console.log(`CPU ms per request: key route ${cpuText(keys.cpuMsPerRequest)}; SELECT 1 route ${cpuText(baseline.cpuMsPerRequest)}`);
    }
    console.log(`Wrote ${file}`);
  } finally {
    await bench.stop();
  }
}

await main();
