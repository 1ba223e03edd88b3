/**
 * `npm run seed`: registers a demo doctor (Ganache account #1) on the running `npm start` stack, so sharing can
 * be tried without the admin step. Safe to run again. `npm start -- --seed` does the same at start-up.
 * It finds the stack as the app does: the same .env, DATA_DIR, CHAIN_PORT (or RPC_URL), CHAIN_ID and database.
 */
import path from "node:path";
import { ConfigError, getEnv, type Env } from "@/lib/config";
import { loadDotenv } from "./load-dotenv";
import type { Address, ContractAddresses } from "./stack/artifacts";
import { embeddedRpcUrl } from "./stack/chain";
import { embeddedDatabaseUrl } from "./stack/database";
import { readDeploymentRecord } from "./stack/deploy";
import { StartupError } from "./stack/errors";
import { seedDemoDoctor } from "./stack/seed";

async function main() {
  loadDotenv();
  const env = getEnv();
  const embeddedChain = !process.env.RPC_URL;
  const addresses = await contractAddresses(env, embeddedChain);
  await seedDemoDoctor({
    rpcUrl: embeddedChain ? embeddedRpcUrl(env.CHAIN_PORT) : env.RPC_URL,
    chainId: env.CHAIN_ID,
    addresses,
    databaseUrl: env.DATABASE_URL ?? embeddedDatabaseUrl(env.EMBEDDED_PG_PORT),
    log: (message) => console.log(`  ${message}`),
  });
}

/** As the app finds them: the environment's addresses, else what `npm start` deployed, else the generated module. */
async function contractAddresses(env: Env, embeddedChain: boolean): Promise<ContractAddresses> {
  if (env.DOCTOR_CONTRACT_ADDRESS && env.PATIENT_CONTRACT_ADDRESS) {
    return { DoctorContract: env.DOCTOR_CONTRACT_ADDRESS as Address, PatientContract: env.PATIENT_CONTRACT_ADDRESS as Address };
  }
  const recordPath = path.resolve(env.DATA_DIR, "deployment.json");
  const recorded = embeddedChain ? await readDeploymentRecord(recordPath, env.CHAIN_ID) : undefined;
  const addresses = recorded ?? (await generatedDeployments())[env.CHAIN_ID];
  if (!addresses) throw new StartupError(`No contracts are known for chain ${env.CHAIN_ID} (${recordPath} is missing): start the system with \`npm start\` first.`);
  return addresses;
}

/** The generated module's addresses; none before the first `npm start` or `npm run compile`. */
async function generatedDeployments(): Promise<Partial<Record<number, ContractAddresses>>> {
  try {
    return (await import("@/lib/chain/generated/contracts")).deployments;
  } catch {
    return {};
  }
}

main().catch((error: unknown) => {
  console.error(`\n  ${error instanceof StartupError || error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
