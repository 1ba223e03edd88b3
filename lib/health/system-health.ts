import "server-only";
import { getEnv } from "@/lib/config";
import { getServerWeb3 } from "@/lib/chain/server/web3";
import { chainStatus, type ChainStatus } from "@/lib/chain/chain-status";
import { configuredDeployment } from "@/lib/chain/server/deployment";
import { getPool } from "@/lib/db/pool";
import { LATEST_SCHEMA_VERSION, schemaVersion } from "@/lib/db/schema-version";
import { getIpfsStore } from "@/lib/ipfs/server-store";

export interface SystemHealth {
  ok: boolean;
  chain: ChainStatus;
  database: { ok: boolean; schemaVersion?: number; error?: string };
  ipfs: { ok: boolean; backend: "embedded" | "kubo"; error?: string };
}

const TIMEOUT_MS = 3_000;

/** Checks the three backing services in parallel, each bounded by a timeout. */
export async function systemHealth(): Promise<SystemHealth> {
  const env = getEnv();
  const [chain, database, ipfs] = await Promise.all([
    withTimeout(chainStatus(getServerWeb3(), env.CHAIN_ID, configuredDeployment()), {
      ok: false,
      expectedChainId: env.CHAIN_ID,
      contracts: {},
      error: "The chain node did not answer in time.",
    }),
    withTimeout(databaseStatus(), { ok: false, error: "The database did not answer in time." }),
    withTimeout(ipfsStatus(env.IPFS_API_URL ? "kubo" : "embedded"), {
      ok: false,
      backend: env.IPFS_API_URL ? "kubo" : "embedded",
      error: "The IPFS store did not answer in time.",
    }),
  ]);
  return { ok: chain.ok && database.ok && ipfs.ok, chain, database, ipfs };
}

async function databaseStatus(): Promise<SystemHealth["database"]> {
  let version: number;
  try {
    version = await schemaVersion(getPool());
  } catch {
    return { ok: false, error: "The database is not reachable." };
  }
  // An older schema (migrations still running, or an older copy of the data restored) is not ready: routes
  // would meet missing tables or columns.
  if (version !== LATEST_SCHEMA_VERSION) {
    return { ok: false, schemaVersion: version, error: `The database schema is at version ${version}; this app needs version ${LATEST_SCHEMA_VERSION} (run the migrations: npm run db:migrate).` };
  }
  return { ok: true, schemaVersion: version };
}

async function ipfsStatus(backend: "embedded" | "kubo"): Promise<SystemHealth["ipfs"]> {
  try {
    await (await getIpfsStore()).ping();
    return { ok: true, backend };
  } catch {
    return { ok: false, backend, error: "The IPFS store is not reachable." };
  }
}

function withTimeout<T>(work: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([work, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), TIMEOUT_MS))]);
}
