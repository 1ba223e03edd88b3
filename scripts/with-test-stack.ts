/**
 * Runs a command against a complete, throw-away system: Ganache, contracts, PostgreSQL, IPFS store and the
 * built app, in a temporary folder on free ports, built into .next-e2e so a developer's `npm start` is
 * untouched. The command gets TEST_* variables describing the stack; its exit code is ours.
 *   tsx scripts/with-test-stack.ts node --test ...
 */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { startStack } from "./stack";
import { stackTestVariables, throwawayStackEnv } from "./stack/throwaway";

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error("usage: tsx scripts/with-test-stack.ts <command> [args...]");
  const { dataDir, env } = await throwawayStackEnv("ehr-test-stack-");
  // Separate build folders let two test runs (or a run beside `npm start`) build at once.
  const distDir = process.env.TEST_DIST_DIR || ".next-e2e";
  const started = Date.now();
  const verbose = Boolean(process.env.TEST_VERBOSE);
  const stack = await startStack({
    env,
    embeddedChain: true,
    // Test files share the chain; each uses its own accounts (0 is the admin; grep test/ for stack.accounts to see which are taken; the lead assigns 40-69 per task).
    chainAccounts: 70,
    app: { build: true, distDir },
    log: (message) => console.log(`[test stack] ${message}`),
    onAppOutput: (line) => verbose && console.log(`[app] ${line}`),
  });
  console.log(`[test stack] up in ${((Date.now() - started) / 1000).toFixed(0)} s at ${stack.app?.url}`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(command, args, {
      stdio: "inherit",
      env: { ...process.env, ...stackTestVariables(stack, env, dataDir, distDir) },
    });
    child.on("close", (exitCode) => resolve(exitCode ?? 1));
  });
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
