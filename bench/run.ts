// `npm run bench`: every benchmark in turn, each in its own process (so memory and JIT state do not leak
// from one into the next), then one table of all figures. Each writes bench/results/<name>.json.
//   BENCH_ONLY=crypto,chain npm run bench      runs a subset; BENCH_VERBOSE=1 shows each bench's own output.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fmt, printTable, RESULTS_DIR, ROOT, type SummaryRow } from "./lib/stats";

interface Bench {
  name: string;
  what: string;
  command: string[];
}

const BENCHES: Bench[] = [
  { name: "gas", what: "gas of every contract operation", command: ["npm", "run", "--silent", "bench:gas"] },
  { name: "crypto", what: "envelope encrypt/decrypt", command: [process.execPath, "--import", "tsx", "bench/crypto/run.ts"] },
  { name: "chain", what: "10,000 sequential transactions", command: [process.execPath, "--import", "tsx", "bench/chain/run.ts"] },
  // start before upload: it makes the .next-bench build from scratch, which upload then finds up to date.
  { name: "start", what: "npm start, fresh and restarted", command: [process.execPath, "--import", "tsx", "bench/start/run.ts"] },
  { name: "upload", what: "10 MB PDF upload path", command: [process.execPath, "--import", "tsx", "bench/upload/run.ts"] },
  { name: "keys", what: "doctor's key request under load", command: [process.execPath, "--import", "tsx", "bench/keys/run.ts"] },
  { name: "records", what: "first page of My records, 5,000 records", command: [process.execPath, "--import", "tsx", "bench/records/run.ts"] },
];

function run(bench: Bench): Promise<{ code: number; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const [command, ...args] = bench.command;
    const child = spawn(command!, args, { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.BENCH_VERBOSE) process.stdout.write(chunk);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => resolve({ code: code ?? 1, output, ms: performance.now() - started }));
  });
}

function gasRows(): SummaryRow[] {
  const gas = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, "gas.json"), "utf8")) as {
    operations: Array<{ operation: string; gas: number; minimum?: number; naiveGas?: number | null; ratio?: number | null; pass?: boolean | null; targets?: unknown[] }>;
  };
  return gas.operations.map((op) => ({
    bench: "gas",
    what: op.operation,
    measured: `${fmt(op.gas)} gas`,
    baseline: op.naiveGas ? `naive ${fmt(op.naiveGas)}, minimum ${fmt(op.minimum ?? 0)}` : `minimum ${fmt(op.minimum ?? 0)}`,
    ratio: op.ratio ? `${fmt(op.ratio, 2)}x` : "",
    target: op.targets && op.targets.length > 0 ? "see bench/gas" : "",
    pass: op.targets && op.targets.length > 0 ? (op.pass ?? null) : null,
  }));
}

async function main() {
  const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());
  const selected = BENCHES.filter((bench) => !only || only.includes(bench.name));
  const rows: SummaryRow[] = [];
  const durations: string[] = [];
  const started = performance.now();
  let failed = false;
  for (const bench of selected) {
    console.log(`[bench] ${bench.name}: ${bench.what}…`);
    const result = await run(bench);
    durations.push(`${bench.name} ${fmt(result.ms / 1000)} s`);
    if (result.code !== 0) {
      failed = true;
      console.log(result.output.trim().split("\n").slice(-30).join("\n"));
      rows.push({ bench: bench.name, what: bench.what, measured: `FAILED (exit ${result.code})`, baseline: "", ratio: "", target: "", pass: false });
      continue;
    }
    if (bench.name === "gas") {
      rows.push(...gasRows());
    } else {
      const results = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, `${bench.name}.json`), "utf8")) as { summary: SummaryRow[] };
      rows.push(...results.summary);
    }
  }
  console.log("");
  printTable(rows);
  console.log(`\n${durations.join(", ")}; total ${fmt((performance.now() - started) / 1000)} s. Results in bench/results/*.json.`);
  const missed = rows.filter((row) => row.pass === false).length;
  if (missed > 0) console.log(`${missed} row(s) MISSED their target or failed.`);
  process.exit(failed ? 1 : 0);
}

await main();
