// Item 5: the first page of "My records" for a patient with 5,000 records against the same page for a patient
// with 10, each as the browser loads it: the chain's recordCount and getRecords for that page, POST
// /api/records/query for that page's ids, unwrapping each data key and decrypting each record's metadata
// (lib/records/client/list.ts loadMyRecordsPage, run here in Node against the bench's own stack). Median of
// RUNS, interleaved. BENCH_RECORDS_WHOLE=1 also times the whole-history load (loadMyRecords) of the big patient
// once, as "My records" did before paging.
// "My patients" likewise: the first page for a doctor granted by 1,000 patients against a doctor granted by 10,
// each as the doctor's browser loads it (lib/doctor/client/patients.ts loadMyPatientsPage: GET
// /api/doctor/patients for the page, each patient's granted record from the chain, POST /api/records/query for
// them, unwrapping and decrypting each); every patient shares one record with the doctor.
//   node --import tsx bench/records/run.ts            (also part of `npm run bench`)
import { randomBytes } from "node:crypto";
import pg from "pg";
import { Web3 } from "web3";
import { browserChain, type BrowserChain } from "@/lib/chain/client";
import type { ContractAddresses } from "@/lib/chain/deployment";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import { encryptJson, randomDataKey, wrapKey } from "@/lib/crypto";
import { loadMyPatientsPage, PATIENTS_PAGE_SIZE } from "@/lib/doctor/client";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyRecords, loadMyRecordsPage, RECORDS_PAGE_SIZE } from "@/lib/records/client/list";
import { rpc, signedInClient } from "@/test/support/api/api-client";
import { registerDoctor, registerPatient } from "@/test/support/api/chain";
import { testKeys } from "@/test/support/api/fixtures";
import { startBenchStack } from "../lib/bench-stack";
import { fmt, median, printTable, timeMs, writeResults, type SummaryRow } from "../lib/stats";

const BIG = Number(process.env.BENCH_RECORDS_BIG ?? 5_000);
const SMALL = 10;
const RUNS = Number(process.env.BENCH_RECORDS_RUNS ?? 9);
const TARGET_RATIO = 1.5;
const SEND_BATCH = 100;
const DOCTOR_BIG = Number(process.env.BENCH_PATIENTS_BIG ?? 1_000);
const DOCTOR_SMALL = 10;
// Ganache accounts: the records patients and doctors below FIRST_PATIENT_ACCOUNT, then one per granting patient.
const FIRST_PATIENT_ACCOUNT = 30;

interface Patient {
  key: UnlockedKey;
  chain: BrowserChain;
  cookie: string;
}

const metadataOf = (i: number) => ({
  version: 1,
  title: `Record ${i + 1}`,
  hospital: ["St Mary's", "General", "Royal Infirmary"][i % 3],
  reason: "Follow-up",
  admissionDate: "2026-01-02",
  dischargeDate: "2026-01-03",
  category: "lab-result",
  fileName: `record-${i + 1}.pdf`,
  size: 1000 + i,
  sha256: randomBytes(32).toString("hex"),
  mimeType: "application/pdf",
});

/**
 * `count` records for `patient`: addRecord mined on chain (sent SEND_BATCH at a time), and the key store's rows
 * (record with encrypted metadata, the data key wrapped for the patient) written straight into PostgreSQL, as a
 * confirmed upload leaves them. One data key for all (the page still unwraps and decrypts each record's own).
 */
async function seedRecords(web3: Web3, patientAddress: string, patientContract: string, databaseUrl: string, publicKey: Uint8Array, count: number): Promise<void> {
  // Sent as plain eth_sendTransaction calls without waiting for each receipt (Ganache mines them in nonce
  // order at once): the record ids are then the patient's address << 96 | index, checked with recordCount.
  const contract = new web3.eth.Contract(patientContractAbi, patientContract);
  const first = Number(await contract.methods.recordCount(patientAddress).call());
  const cids: string[] = [];
  for (let start = 0; start < count; start += SEND_BATCH) {
    const batch = Array.from({ length: Math.min(SEND_BATCH, count - start) }, () => `0x${randomBytes(32).toString("hex")}`);
    // Sent together; which index each digest gets does not matter here (the rows only need distinct CIDs).
    await Promise.all(
      batch.map((digest) => {
        cids.push(`bench-${digest.slice(2, 34)}`);
        const data = contract.methods.addRecord(patientAddress, digest, 0x55).encodeABI();
        return rpc("eth_sendTransaction", [{ from: patientAddress, to: patientContract, data, gas: "0x493e0" }]);
      }),
    );
  }
  const mined = Number(await contract.methods.recordCount(patientAddress).call());
  if (mined !== first + count) throw new Error(`${mined - first} of ${count} records mined`);
  const ids = cids.map((_, i) => ((BigInt(patientAddress) << 96n) | BigInt(first + i)).toString());
  await storeKeyStoreRows(databaseUrl, { ids, cids, patients: ids.map(() => patientAddress), recipient: patientAddress, recipientKey: publicKey });
}

/**
 * The key store's rows for records already on chain, as a confirmed upload leaves them: each record with its
 * encrypted metadata and its data key wrapped for `recipient` (one data key for all: a page still unwraps and
 * decrypts each record's own), written straight into PostgreSQL.
 */
async function storeKeyStoreRows(
  databaseUrl: string,
  rows: { ids: string[]; cids: string[]; patients: string[]; recipient: string; recipientKey: Uint8Array },
): Promise<void> {
  const dataKey = randomDataKey();
  const wrapped = Buffer.from(wrapKey(dataKey, rows.recipientKey));
  const metadata = rows.ids.map((_, i) => Buffer.from(encryptJson(dataKey, metadataOf(i))));
  dataKey.fill(0);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO records (record_id, cid, patient, uploader, size, encrypted_metadata)
       SELECT * FROM unnest($1::numeric[], $2::text[], $3::text[], $3::text[], $4::bigint[], $5::bytea[])`,
      [rows.ids, rows.cids, rows.patients, rows.ids.map(() => 1000), metadata],
    );
    await db.query(
      `INSERT INTO wrapped_keys (record_id, recipient, wrapped_key, status)
       SELECT id, $2, $3, 'confirmed' FROM unnest($1::numeric[]) AS id`,
      [rows.ids, rows.recipient, wrapped],
    );
  } finally {
    await db.end();
  }
}

// Plain eth_sendTransaction calls from many accounts (one each), SEND_BATCH at a time (Ganache mines each at once).
async function sendAll(calls: Array<{ from: string; data: string }>, to: string): Promise<void> {
  for (let start = 0; start < calls.length; start += SEND_BATCH) {
    await Promise.all(calls.slice(start, start + SEND_BATCH).map(({ from, data }) => rpc("eth_sendTransaction", [{ from, to, data, gas: "0x493e0" }])));
  }
}

/**
 * Patients who each register, add one record and grant `doctor` access to it (three rounds of plain
 * eth_sendTransaction, one transaction per patient per round), and the key store's rows for those records
 * (encrypted metadata, the data key wrapped for the doctor) written straight into PostgreSQL.
 */
async function seedGrants(web3: Web3, patientAccounts: readonly string[], doctor: string, doctorKey: Uint8Array, patientKeyHex: string, patientContract: string, databaseUrl: string): Promise<void> {
  const contract = new web3.eth.Contract(patientContractAbi, patientContract);
  const patients = patientAccounts.map((account) => account.toLowerCase());
  const ids = patients.map((patient) => ((BigInt(patient) << 96n) | 0n).toString());
  await sendAll(patients.map((from) => ({ from, data: contract.methods.registerPatient(patientKeyHex).encodeABI() })), patientContract);
  await sendAll(patients.map((from) => ({ from, data: contract.methods.addRecord(from, `0x${randomBytes(32).toString("hex")}`, 0x55).encodeABI() })), patientContract);
  await sendAll(patients.map((from, i) => ({ from, data: contract.methods.grantAccess(doctor, [ids[i]!], 0).encodeABI() })), patientContract);
  const last = patients.at(-1)!;
  if (!(await contract.methods.canRead(doctor, ids.at(-1)!).call())) throw new Error(`the grant of ${last} to ${doctor} was not mined`);
  await storeKeyStoreRows(databaseUrl, { ids, cids: ids.map((id) => `bench-grant-${id}`), patients, recipient: doctor, recipientKey: doctorKey });
}

// The browser's relative API calls (lib/api/client/http.ts), sent to the bench app with the caller's cookie.
function browserFetch(appUrl: string): (cookie: string) => void {
  const nodeFetch = globalThis.fetch;
  let current = "";
  globalThis.fetch = ((input: RequestInfo | URL, init: RequestInit = {}) => {
    if (typeof input === "string" && input.startsWith("/")) {
      const headers = new Headers(init.headers);
      headers.set("cookie", current);
      headers.set("origin", appUrl);
      return nodeFetch(new URL(input, appUrl), { ...init, headers });
    }
    return nodeFetch(input, init);
  }) as typeof fetch;
  return (cookie) => {
    current = cookie;
  };
}

export async function main() {
  const bench = await startBenchStack({ env: { RATE_LIMIT_RECORDS: "100000000" }, accounts: FIRST_PATIENT_ACCOUNT + DOCTOR_BIG + DOCTOR_SMALL });
  try {
    const appUrl = bench.stack.app!.url;
    const addresses = bench.stack.addresses as ContractAddresses;
    const web3 = new Web3(bench.stack.rpcUrl);
    const provider = { request: ({ method, params }: { method: string; params?: unknown[] }) => rpc(method, params ?? []) };
    const patients: Record<"big" | "small", Patient> = {} as Record<"big" | "small", Patient>;
    const seeding = performance.now();
    // A signed-in user as the browser holds them: the unlocked key, the chain through the wallet, the session cookie.
    const signedInUser = async (address: string, keys: ReturnType<typeof testKeys>): Promise<Patient> => ({
      key: { address, publicKey: keys.publicKey, publicKeyHex: keys.publicKeyHex, secretKey: keys.secretKey },
      chain: browserChain(provider as never, addresses, address),
      cookie: (await signedInClient(address)).cookie!,
    });
    for (const [name, account, count] of [["big", bench.accounts[13]!, BIG], ["small", bench.accounts[14]!, SMALL]] as const) {
      const address = account.toLowerCase();
      const keys = testKeys();
      await registerPatient(address, keys.publicKeyHex);
      await seedRecords(web3, address, addresses.PatientContract, bench.stack.database.url, keys.publicKey, count);
      patients[name] = await signedInUser(address, keys);
    }
    const recordsSeedSeconds = (performance.now() - seeding) / 1000;
    const doctors: Record<"big" | "small", Patient> = {} as Record<"big" | "small", Patient>;
    const patientKeys = testKeys();
    let nextPatient = FIRST_PATIENT_ACCOUNT;
    for (const [name, account, count] of [["big", bench.accounts[15]!, DOCTOR_BIG], ["small", bench.accounts[16]!, DOCTOR_SMALL]] as const) {
      const address = account.toLowerCase();
      const keys = testKeys();
      await registerDoctor(bench.accounts[0]!, address, keys.publicKeyHex, { name: `Dr Bench ${name}` });
      const granting = bench.accounts.slice(nextPatient, (nextPatient += count));
      if (granting.length !== count) throw new Error(`${granting.length} accounts for ${count} patients`);
      await seedGrants(web3, granting, address, keys.publicKey, patientKeys.publicKeyHex, addresses.PatientContract, bench.stack.database.url);
      doctors[name] = await signedInUser(address, keys);
    }
    const seedSeconds = (performance.now() - seeding) / 1000;
    const asBrowser = browserFetch(appUrl);
    const firstPage = async (patient: Patient) => {
      asBrowser(patient.cookie);
      const page = await loadMyRecordsPage(patient.chain, patient.key);
      if (page.entries.length !== Math.min(RECORDS_PAGE_SIZE, page.total) || page.entries.some((entry) => entry.status !== "ok")) {
        throw new Error(`first page of ${patient.key.address}: ${page.entries.length} entries, not all decrypted`);
      }
    };
    const patientsPage = async (doctor: Patient, expected: number) => {
      asBrowser(doctor.cookie);
      const page = await loadMyPatientsPage(doctor.chain, doctor.key);
      if (page.patients.length !== expected || page.patients.some((patient) => patient.entries.length !== 1 || patient.entries[0]!.status !== "ok")) {
        throw new Error(`"My patients" of ${doctor.key.address}: ${page.patients.length} patients, not all with their record decrypted`);
      }
    };
    // The doctor's first request after the server started scans the grant events from block 0; later ones only the new blocks.
    const coldPatients = { big: await timeMs(() => patientsPage(doctors.big, Math.min(PATIENTS_PAGE_SIZE, DOCTOR_BIG))), small: await timeMs(() => patientsPage(doctors.small, Math.min(PATIENTS_PAGE_SIZE, DOCTOR_SMALL))) };
    // Warm-up (routes compiled, pools open), then interleaved runs.
    await firstPage(patients.big);
    await firstPage(patients.small);
    // Each first page holds as many records (patients) as the small patient (doctor) has, ten: the ratio is the history's cost.
    const times = { big: [] as number[], small: [] as number[] };
    const patientTimes = { big: [] as number[], small: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      times.big.push(await timeMs(() => firstPage(patients.big)));
      times.small.push(await timeMs(() => firstPage(patients.small)));
      patientTimes.big.push(await timeMs(() => patientsPage(doctors.big, Math.min(PATIENTS_PAGE_SIZE, DOCTOR_BIG))));
      patientTimes.small.push(await timeMs(() => patientsPage(doctors.small, Math.min(PATIENTS_PAGE_SIZE, DOCTOR_SMALL))));
    }
    // The whole history as "My records" loaded it before paging: minutes for 5,000 records, so only on request.
    let wholeMs: number | undefined;
    if (process.env.BENCH_RECORDS_WHOLE === "1") {
      asBrowser(patients.big.cookie);
      let all = 0;
      wholeMs = await timeMs(async () => (all = (await loadMyRecords(patients.big.chain, patients.big.key)).length));
      if (all !== BIG) throw new Error(`loadMyRecords returned ${all} of ${BIG}`);
    }

    const bigMs = median(times.big);
    const smallMs = median(times.small);
    const patientsMs = { big: median(patientTimes.big), small: median(patientTimes.small) };
    const summary: SummaryRow[] = [
      {
        bench: "records",
        what: `"My records" first page (${RECORDS_PAGE_SIZE}), ${fmt(BIG)} records`,
        measured: `${fmt(bigMs)} ms`,
        baseline: `same page, ${SMALL} records ${fmt(smallMs)} ms`,
        ratio: `${fmt(bigMs / smallMs, 2)}x`,
        target: `<= ${TARGET_RATIO}x`,
        pass: bigMs / smallMs <= TARGET_RATIO,
      },
      {
        bench: "records",
        what: `"My patients" first page (${PATIENTS_PAGE_SIZE}), ${fmt(DOCTOR_BIG)} patients`,
        measured: `${fmt(patientsMs.big)} ms`,
        baseline: `same page, ${DOCTOR_SMALL} patients ${fmt(patientsMs.small)} ms`,
        ratio: `${fmt(patientsMs.big / patientsMs.small, 2)}x`,
        target: `<= ${TARGET_RATIO}x`,
        pass: patientsMs.big / patientsMs.small <= TARGET_RATIO,
      },
      {
        bench: "records",
        what: `  first request after a server start (scans the chain's grants)`,
        measured: `${fmt(coldPatients.big)} ms`,
        baseline: `${DOCTOR_SMALL} patients ${fmt(coldPatients.small)} ms`,
        ratio: `${fmt(coldPatients.big / coldPatients.small, 2)}x`,
        target: "",
        pass: null,
      },
      ...(wholeMs === undefined
        ? []
        : [
            {
              bench: "records",
              what: `  whole history (loadMyRecords), ${fmt(BIG)} records`,
              measured: `${fmt(wholeMs / 1000, 1)} s`,
              baseline: "",
              ratio: `${fmt(wholeMs / smallMs, 0)}x`,
              target: "",
              pass: null,
            },
          ]),
    ];
    const file = writeResults("records", {
      what: "lib/records/client/list.ts loadMyRecordsPage in Node: chain recordCount + getRecords of the page, POST /api/records/query of its ids, unwrap + decrypt each",
      pageSize: RECORDS_PAGE_SIZE,
      records: { big: BIG, small: SMALL },
      runs: RUNS,
      firstPageMs: { big: bigMs, small: smallMs },
      ratio: bigMs / smallMs,
      wholeHistoryMs: wholeMs,
      myPatients: {
        what: "lib/doctor/client/patients.ts loadMyPatientsPage in Node: GET /api/doctor/patients, each patient's granted record from the chain, POST /api/records/query, unwrap + decrypt each",
        pageSize: PATIENTS_PAGE_SIZE,
        patients: { big: DOCTOR_BIG, small: DOCTOR_SMALL },
        firstPageMs: { big: patientsMs.big, small: patientsMs.small },
        ratio: patientsMs.big / patientsMs.small,
        coldFirstRequestMs: coldPatients,
        timesMs: patientTimes,
      },
      seedSeconds,
      recordsSeedSeconds,
      timesMs: times,
      summary,
    });
    printTable(summary);
    console.log(`Wrote ${file}`);
  } finally {
    await bench.stop();
  }
}

await main();
