// Item 6: 10,000 sequential transactions on the embedded chain (Ganache on its LevelDB folder, as `npm start`
// runs it): each patient adds a record, then grants a doctor that record, round robin over 10 patients.
// The last 1,000 must take within 20% of the time of the first 1,000.
//   node --import tsx bench/chain/run.ts            (also part of `npm run bench`)
// Transactions go straight over JSON-RPC (eth_sendTransaction; Ganache mines each before it answers),
// so the figure is the chain's, not a client library's.
import { Web3 } from "web3";
import { doctorContractAbi, patientContractAbi } from "@/lib/chain/generated/contracts";
import { startBenchStack } from "../lib/bench-stack";
import { fmt, printTable, writeResults, type SummaryRow } from "../lib/stats";

const TOTAL = Number(process.env.BENCH_CHAIN_TXS ?? 10_000);
const WINDOW = Math.min(1_000, Math.floor(TOTAL / 4));
const TARGET = 1.2;
const GAS = "0x" + (1_000_000).toString(16);

export async function main() {
  const bench = await startBenchStack({ app: false });
  try {
    const rpcUrl = bench.stack.rpcUrl;
    const addresses = bench.stack.addresses!;
    const web3 = new Web3(rpcUrl);
    const patientContract = new web3.eth.Contract(patientContractAbi, addresses.PatientContract);
    const doctorContract = new web3.eth.Contract(doctorContractAbi, addresses.DoctorContract);
    const [admin] = bench.accounts;
    const doctor = bench.accounts[13]!;
    const patients = bench.accounts.slice(20, 30);
    let id = 0;
    const rpc = async (method: string, params: unknown[]) => {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
      });
      const body = (await response.json()) as { result?: unknown; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result;
    };
    const send = (from: string, to: string, data: string) => rpc("eth_sendTransaction", [{ from, to, data, gas: GAS }]);
    const licence = `0x${"ab".repeat(32)}`;
    await send(admin!, addresses.DoctorContract, doctorContract.methods.registerDoctor(doctor, "Dr Bench", "Cardiology", licence).encodeABI());
    for (const [i, patient] of patients.entries()) {
      const key = `0x${(i + 1).toString(16).padStart(64, "0")}`;
      await send(patient, addresses.PatientContract, patientContract.methods.registerPatient(key).encodeABI());
    }
    const recordCount = new Map(patients.map((p) => [p, 0]));
    const times: number[] = [];
    const kinds: string[] = [];
    for (let n = 0; n < TOTAL; n++) {
      const patient = patients[Math.floor(n / 2) % patients.length]!;
      let data: string;
      if (n % 2 === 0) {
        const digest = `0x${(n + 1).toString(16).padStart(64, "0")}`;
        data = patientContract.methods.addRecord(patient, digest, 0x55).encodeABI();
        kinds.push("addRecord");
      } else {
        const index = recordCount.get(patient)!;
        recordCount.set(patient, index + 1);
        const recordId = ((BigInt(patient) << 96n) | BigInt(index)).toString();
        data = patientContract.methods.grantAccess(doctor, [recordId], 0).encodeABI();
        kinds.push("grantAccess");
      }
      const started = performance.now();
      const hash = (await send(patient, addresses.PatientContract, data)) as string;
      times.push(performance.now() - started);
      // Ganache answers after mining; check the outcome outside the timing, for a sample and the windows.
      if (n < WINDOW || n >= TOTAL - WINDOW || n % 97 === 0) {
        const receipt = (await rpc("eth_getTransactionReceipt", [hash])) as { status: string } | null;
        if (receipt?.status !== "0x1") throw new Error(`transaction ${n} (${kinds[n]}) failed`);
      }
    }
    // Every record and every grant happened.
    for (const patient of patients) {
      const count = Number(await patientContract.methods.recordCount(patient).call());
      if (count !== recordCount.get(patient)) throw new Error(`${patient} has ${count} records`);
      const lastId = ((BigInt(patient) << 96n) | BigInt(count - 1)).toString();
      if (!(await patientContract.methods.canRead(doctor, lastId).call())) throw new Error("last grant missing");
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const firstMs = sum(times.slice(0, WINDOW));
    const lastMs = sum(times.slice(-WINDOW));
    const ratio = lastMs / firstMs;
    const totalMs = sum(times);
    const summary: SummaryRow[] = [
      {
        bench: "chain",
        what: `${fmt(TOTAL)} sequential txs (addRecord + grantAccess)`,
        measured: `last ${fmt(WINDOW)}: ${fmt(lastMs / 1000, 1)} s (${fmt(lastMs / WINDOW, 1)} ms/tx)`,
        baseline: `first ${fmt(WINDOW)}: ${fmt(firstMs / 1000, 1)} s (${fmt(firstMs / WINDOW, 1)} ms/tx)`,
        ratio: `${fmt(ratio, 2)}x`,
        target: `<= ${TARGET}x`,
        pass: ratio <= TARGET,
      },
    ];
    const perThousand = [];
    for (let start = 0; start < TOTAL; start += WINDOW) perThousand.push(sum(times.slice(start, start + WINDOW)));
    const file = writeResults("chain", {
      transactions: TOTAL,
      window: WINDOW,
      totalMs,
      firstWindowMs: firstMs,
      lastWindowMs: lastMs,
      ratio,
      windowsMs: perThousand,
      summary,
    });
    printTable(summary);
    console.log(`Wrote ${file}`);
  } finally {
    await bench.stop();
  }
}

await main();
