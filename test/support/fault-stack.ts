/**
 * A throw-away stack of its own for the fault tests (test/adversarial/faults-*.test.ts): chain, contracts and
 * PostgreSQL from scripts/stack on free ports in a temporary folder, and the production app from the test
 * run's build, so a test can stop and restart the chain node or the database without touching the shared
 * test stack. The app runs as a child process we hold, so a test can check that it survived.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Web3 } from "web3";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import type { Env } from "@/lib/config";
import { startStack, type RunningStack } from "@/scripts/stack";
import { startChain, type RunningChain } from "@/scripts/stack/chain";
import { startEmbeddedDatabase, type RunningDatabase } from "@/scripts/stack/database";
import { freePort } from "@/scripts/stack/ports";
import { throwawayStackEnv } from "@/scripts/stack/throwaway";

const require = createRequire(import.meta.url);
const NEXT_CLI = require.resolve("next/dist/bin/next");

export interface FaultApp {
  url: string;
  pid: number;
  /** The server process has not exited. */
  alive(): boolean;
  /** Everything it printed (stdout and stderr), line by line. */
  output: string[];
  stop(): Promise<void>;
}

/** `next start` from the test run's build (TEST_DIST_DIR), as a child process we hold. */
export async function startFaultApp(env: Record<string, string>): Promise<FaultApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const distDir = process.env.TEST_DIST_DIR || ".next-e2e";
  const child: ChildProcess = spawn(process.execPath, [NEXT_CLI, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PUBLIC_URL: url, ...env, NEXT_DIST_DIR: distDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited during start-up (exit ${child.exitCode}):\n${output.join("\n")}`);
    if (Date.now() > deadline) throw new Error(`the app did not answer at ${url} within 60 s`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    url,
    pid: child.pid!,
    alive: () => child.exitCode === null && child.signalCode === null,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface FaultStack {
  env: Env;
  dataDir: string;
  accounts: string[];
  rpcUrl: string;
  /** The database owner's URL (for pg_terminate_backend and checks under the API). */
  ownerDatabaseUrl: string;
  app: FaultApp;
  web3: Web3;
  patientContract: ReturnType<typeof patientContractAt>;
  stopChain(): Promise<void>;
  startChain(): Promise<void>;
  stopDatabase(): Promise<void>;
  startDatabase(): Promise<void>;
  stop(): Promise<void>;
}

const patientContractAt = (web3: Web3, address: string) => new web3.eth.Contract(patientContractAbi, address);

/** Starts chain (10 accounts), contracts, PostgreSQL and the app; `appOverrides` go into the app's environment. */
export async function startFaultStack(prefix: string, appOverrides: Record<string, string> = {}): Promise<FaultStack> {
  const { dataDir, env } = await throwawayStackEnv(prefix);
  let stack: RunningStack;
  try {
    stack = await startStack({ env, embeddedChain: true, app: false, log: () => {} });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let chain: RunningChain | undefined = stack.chain;
  let database: RunningDatabase | undefined = stack.database;
  const addresses = stack.addresses!;
  let app: FaultApp;
  try {
    app = await startFaultApp({
      ...stack.appEnv,
      DOCTOR_CONTRACT_ADDRESS: addresses.DoctorContract,
      PATIENT_CONTRACT_ADDRESS: addresses.PatientContract,
      ...appOverrides,
    });
  } catch (error) {
    await chain?.close();
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const web3 = new Web3(stack.rpcUrl);
  return {
    env,
    dataDir,
    accounts: stack.chain!.accounts,
    rpcUrl: stack.rpcUrl,
    ownerDatabaseUrl: stack.database.url,
    app,
    web3,
    patientContract: patientContractAt(web3, addresses.PatientContract),
    async stopChain() {
      await chain?.close();
      chain = undefined;
    },
    async startChain() {
      chain = await startChain({ dbPath: path.join(dataDir, "chain"), port: env.CHAIN_PORT, chainId: env.CHAIN_ID, mnemonic: env.CHAIN_MNEMONIC });
    },
    async stopDatabase() {
      await database?.stop();
      database = undefined;
    },
    async startDatabase() {
      database = await startEmbeddedDatabase(path.join(dataDir, "pg"), env.EMBEDDED_PG_PORT);
    },
    async stop() {
      await app.stop();
      await chain?.close().catch(() => {});
      await database?.stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
