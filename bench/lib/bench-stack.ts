// A throw-away stack for a benchmark: its own chain, database, IPFS store and app (built into .next-bench
// only when the sources changed), in a temporary folder on free ports, like scripts/with-test-stack.ts.
// It also sets the TEST_* variables so the helpers in test/support talk to it.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "@/lib/config";
import { freePort, startStack, type RunningStack } from "@/scripts/stack";

export const BENCH_DIST_DIR = ".next-bench";

export interface BenchStack {
  stack: RunningStack;
  dataDir: string;
  accounts: string[];
  stop(): Promise<void>;
}

export async function startBenchStack(
  options: { app?: boolean; accounts?: number; env?: Record<string, string> } = {},
): Promise<BenchStack> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "ehr-bench-stack-"));
  await chmod(dataDir, 0o755);
  const env = parseEnv({
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    CHAIN_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    HOST: "127.0.0.1",
    ...options.env,
  });
  const stack = await startStack({
    env,
    embeddedChain: true,
    chainAccounts: options.accounts ?? 30,
    app: options.app === false ? false : { build: true, distDir: BENCH_DIST_DIR },
    log: (message) => process.env.BENCH_VERBOSE && console.log(`[bench stack] ${message}`),
  });
  const accounts = stack.chain?.accounts ?? [];
  Object.assign(process.env, {
    TEST_APP_URL: stack.app?.url ?? "http://127.0.0.1:1",
    TEST_RPC_URL: stack.rpcUrl,
    TEST_CHAIN_ID: String(env.CHAIN_ID),
    TEST_ACCOUNTS: JSON.stringify(accounts),
    TEST_DATABASE_URL: stack.database.url,
    TEST_DATA_DIR: dataDir,
    TEST_APP_ENV: JSON.stringify(stack.appEnv),
    TEST_DIST_DIR: BENCH_DIST_DIR,
  });
  return {
    stack,
    dataDir,
    accounts,
    stop: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
