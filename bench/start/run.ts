// Item 7: `npm start` on a fresh clone (no build, no data) to a green /api/health, and a restart with
// nothing changed, against `next start` of the already built app with its services already running.
//   node --import tsx bench/start/run.ts            (also part of `npm run bench`)
// Builds into .next-bench (or $BENCH_DIST_DIR) and keeps its data in a temporary folder: a developer's .next
// and .data stay untouched. RESTARTS restarts and BASELINES baseline starts; each figure is the median.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "@/lib/config";
import { freePort, startStack } from "@/scripts/stack";
import { startApp } from "@/scripts/stack/app";
import { BENCH_DIST_DIR as DIST_DIR } from "../lib/bench-stack";
import { fmt, median, printTable, ROOT, writeResults, type SummaryRow } from "../lib/stats";

const RESTARTS = Number(process.env.BENCH_START_RESTARTS ?? 3);
const BASELINES = Number(process.env.BENCH_START_BASELINES ?? 3);
const TARGET_RATIO = 2;

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/api/health was not green within ${timeoutMs / 1000} s`);
}

// The real entry point (`npm start` runs `node scripts/launch.mjs scripts/start.ts`), timed from spawn to a green health check.
async function timeNpmStart(env: Record<string, string>, url: string): Promise<{ ms: number; output: string }> {
  const started = performance.now();
  // --timings: each step's line says when it began or ended (kept in the results for the last restart).
  const child = spawn(process.execPath, ["scripts/launch.mjs", "scripts/start.ts", "--timings"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`))),
  );
  try {
    await Promise.race([waitForHealth(url, 600_000), exited]);
    return { ms: performance.now() - started, output };
  } finally {
    exited.catch(() => {});
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGINT"); // what Ctrl-C does: app, database and chain stop in order
    });
  }
}

export async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ehr-bench-start-"));
  await chmod(dataDir, 0o755);
  await rm(path.join(ROOT, DIST_DIR), { recursive: true, force: true });
  const ports = {
    PORT: String(await freePort()),
    CHAIN_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
  };
  const env = { ...ports, DATA_DIR: dataDir, NEXT_DIST_DIR: DIST_DIR, HOST: "127.0.0.1" };
  const url = `http://127.0.0.1:${ports.PORT}`;
  try {
    const fresh = await timeNpmStart(env, url);
    if (!/Building the app/.test(fresh.output)) throw new Error("the fresh start did not build");
    // Baseline: `next start` of the built app, with chain, database and IPFS store already running: a stack of
    // its own (another folder and ports), idle between its runs, so restarts and baselines can alternate and a
    // change in the machine's load meanwhile weighs on both alike.
    const baseDir = await mkdtemp(path.join(os.tmpdir(), "ehr-bench-start-base-"));
    await chmod(baseDir, 0o755);
    const basePorts = { PORT: String(await freePort()), CHAIN_PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()) };
    const baseUrl = `http://127.0.0.1:${basePorts.PORT}`;
    const stack = await startStack({
      env: parseEnv({ ...basePorts, DATA_DIR: baseDir, NEXT_DIST_DIR: DIST_DIR, HOST: "127.0.0.1" }),
      embeddedChain: true,
      app: { build: true, distDir: DIST_DIR },
      log: () => {},
    });
    const restarts: number[] = [];
    let restartSteps: string[] = [];
    let rebuilds = 0;
    const baselines: number[] = [];
    try {
      await stack.app?.stop();
      while (restarts.length < RESTARTS || baselines.length < BASELINES) {
        if (restarts.length < RESTARTS) {
          const restart = await timeNpmStart(env, url);
          if (/skipped next build/.test(restart.output)) {
            restarts.push(restart.ms);
            restartSteps = restart.output.split("\n").filter((line) => /^\s+\[\s*[\d.]+ s\]/.test(line)).map((line) => line.trim());
          } else if (++rebuilds > 3) {
            throw new Error(`every restart rebuilt:\n${restart.output}`);
          } else {
            // Someone edited the app's sources meanwhile (a shared working tree): that restart rightly built.
            console.log("sources changed during the bench: that restart rebuilt; not counted");
          }
        }
        if (baselines.length < BASELINES) {
          const started = performance.now();
          const app = await startApp({ host: "127.0.0.1", port: Number(basePorts.PORT), env: stack.appEnv, distDir: DIST_DIR });
          await waitForHealth(baseUrl, 120_000);
          baselines.push(performance.now() - started);
          await app.stop();
        }
      }
    } finally {
      await stack.stop();
      await rm(baseDir, { recursive: true, force: true });
    }
    const restartMs = median(restarts);
    const baselineMs = median(baselines);
    const summary: SummaryRow[] = [
      {
        bench: "start",
        what: "npm start, fresh clone (builds)",
        measured: `${fmt(fresh.ms / 1000, 1)} s`,
        baseline: `next start of the built app ${fmt(baselineMs / 1000, 1)} s`,
        ratio: `${fmt(fresh.ms / baselineMs, 1)}x`,
        target: "",
        pass: null,
      },
      {
        bench: "start",
        what: "npm start again, nothing changed",
        measured: `${fmt(restartMs / 1000, 1)} s`,
        baseline: `next start of the built app ${fmt(baselineMs / 1000, 1)} s`,
        ratio: `${fmt(restartMs / baselineMs, 2)}x`,
        target: `<= ${TARGET_RATIO}x`,
        pass: restartMs / baselineMs <= TARGET_RATIO,
      },
    ];
    const file = writeResults("start", {
      what: "spawn of `node scripts/launch.mjs scripts/start.ts` (what `npm start` runs) to the first 200 from /api/health",
      freshMs: fresh.ms,
      restartsMs: restarts,
      restartsThatRebuilt: rebuilds,
      // Seconds since scripts/start.ts began (after Node loaded its bundle), not since the spawn.
      restartSteps,
      baselinesMs: baselines,
      restartMs,
      baselineMs,
      restartRatio: restartMs / baselineMs,
      summary,
    });
    printTable(summary);
    console.log(`Wrote ${file}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
