// A throw-away stack for a benchmark: its own chain, database, IPFS store and app (built into .next-bench
// only when the sources changed), in a temporary folder on free ports, like scripts/with-test-stack.ts.
// It also sets the TEST_* variables so the helpers in test/support talk to it.
import { rm } from "node:fs/promises";
import { startStack, type RunningStack } from "@/scripts/stack";
import { stackTestVariables, throwawayStackEnv } from "@/scripts/stack/throwaway";

// BENCH_DIST_DIR lets benches run side by side without rebuilding over each other.
export const BENCH_DIST_DIR = process.env.BENCH_DIST_DIR ?? ".next-bench";

export interface BenchStack {
  stack: RunningStack;
  dataDir: string;
  accounts: string[];
  stop(): Promise<void>;
}

export async function startBenchStack(
  options: { app?: boolean; accounts?: number; env?: Record<string, string> } = {},
): Promise<BenchStack> {
  const { dataDir, env } = await throwawayStackEnv("ehr-bench-stack-", { HOST: "127.0.0.1", ...options.env });
  const stack = await startStack({
    env,
    embeddedChain: true,
    chainAccounts: options.accounts ?? 30,
    app: options.app === false ? false : { build: true, distDir: BENCH_DIST_DIR },
    log: (message) => process.env.BENCH_VERBOSE && console.log(`[bench stack] ${message}`),
  });
  const accounts = stack.chain?.accounts ?? [];
  Object.assign(process.env, stackTestVariables(stack, env, dataDir, BENCH_DIST_DIR));
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
