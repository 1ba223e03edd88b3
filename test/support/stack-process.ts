/**
 * The stack as `npm start` runs it (scripts/stack startStack: embedded Ganache, contracts, PostgreSQL, IPFS store
 * and `next start`), in a process of its own, from the test run's build (NEXT_DIST_DIR) instead of building:
 * test/adversarial/faults-kill.test.ts kills it with SIGKILL and starts it again on the same DATA_DIR.
 * Prints one line `READY <json>` once the app answers; runs until killed.
 *   node --import tsx test/support/stack-process.ts   (with DATA_DIR, PORT, CHAIN_PORT, EMBEDDED_PG_PORT set)
 */
import { parseEnv } from "@/lib/config";
import { startStack } from "@/scripts/stack";

export interface StackProcessReady {
  appUrl: string;
  rpcUrl: string;
  databaseUrl: string;
  addresses: { DoctorContract: string; PatientContract: string };
}

async function main() {
  const env = parseEnv(process.env);
  const stack = await startStack({ env, embeddedChain: true, app: { build: false, distDir: process.env.NEXT_DIST_DIR }, log: (message) => console.log(`[stack] ${message}`) });
  const ready: StackProcessReady = { appUrl: stack.app!.url, rpcUrl: stack.rpcUrl, databaseUrl: stack.database.url, addresses: stack.addresses! };
  console.log(`READY ${JSON.stringify(ready)}`);
}

main().catch((error: unknown) => {
  console.error(`FAILED ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
