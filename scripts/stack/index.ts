import path from "node:path";
import type { Env } from "@/lib/config";
import { openIpfsStore } from "@/lib/ipfs";
import { startChain, type RunningChain } from "./chain";
import { compileContracts, deployContracts } from "./deploy";
import type { ContractAddresses } from "./artifacts";
import { startEmbeddedDatabase, connectExternalDatabase, type RunningDatabase } from "./database";
import { buildAppIfChanged, startApp, type RunningApp } from "./app";
import { StartupError } from "./errors";

export { StartupError } from "./errors";
export { freePort } from "./ports";

export interface StackOptions {
  env: Env;
  /** Start Ganache here; false when RPC_URL names a chain someone else runs. */
  embeddedChain: boolean;
  /** Deterministic Ganache accounts to fund (default 10); tests give each file its own. */
  chainAccounts?: number;
  /**
   * Build and start the Next.js app (tests of lib/ alone skip it). `build` runs `next build` only when the
   * sources or the configuration changed since the build in `distDir` was made.
   */
  app: false | { build: boolean; distDir?: string };
  log: (message: string) => void;
  onAppOutput?: (line: string) => void;
}

export interface RunningStack {
  dataDir: string;
  chain?: RunningChain;
  rpcUrl: string;
  addresses?: ContractAddresses;
  database: RunningDatabase;
  ipfs: { kind: "embedded" | "kubo"; location: string };
  app?: RunningApp;
  /** Environment the app (and anything else talking to this stack) runs with. */
  appEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** Brings up chain, contracts, database, IPFS store and app in order; on failure stops what started. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { env, log } = options;
  const dataDir = path.resolve(env.DATA_DIR);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
    stops.length = 0;
  };
  try {
    // The chain (with its contracts) and the database do not depend on each other: start them side by side,
    // the database first, so its server process boots while this one loads Ganache.
    const databaseWork = (async () => {
      log(env.DATABASE_URL ? "Migrating the database…" : "Starting PostgreSQL…");
      const database = env.DATABASE_URL
        ? await connectExternalDatabase(env.DATABASE_URL)
        : await startEmbeddedDatabase(path.join(dataDir, "pg"), env.EMBEDDED_PG_PORT);
      stops.push(database.stop);
      return database;
    })();
    const chainWork = (async () => {
      if (!options.embeddedChain) return { chain: undefined, addresses: undefined, rpcUrl: env.RPC_URL };
      log("Starting Ganache…");
      const chain = await startChain({ dbPath: path.join(dataDir, "chain"), port: env.CHAIN_PORT, chainId: env.CHAIN_ID, mnemonic: env.CHAIN_MNEMONIC, accounts: options.chainAccounts });
      stops.push(chain.close);
      log("Compiling contracts…");
      await compileContracts();
      log("Checking deployed contracts…");
      const deployed = await deployContracts({
        rpcUrl: chain.rpcUrl,
        chainId: env.CHAIN_ID,
        recordPath: path.join(dataDir, "deployment.json"),
        truffleEnv: { CHAIN_PORT: String(env.CHAIN_PORT) },
      });
      log(deployed.migrated ? "Contracts migrated." : "Contracts already deployed: kept the chain's state.");
      return { chain, addresses: deployed.addresses, rpcUrl: chain.rpcUrl };
    })();
    // Wait for both before failing, so whatever did start is registered and stopped.
    const [chainResult, databaseResult] = await Promise.allSettled([chainWork, databaseWork]);
    if (chainResult.status === "rejected") throw chainResult.reason;
    if (databaseResult.status === "rejected") throw databaseResult.reason;
    const { chain, addresses, rpcUrl } = chainResult.value;
    const database = databaseResult.value;

    const ipfsRepo = path.join(dataDir, "ipfs");
    log(env.IPFS_API_URL ? "Checking the Kubo node…" : "Opening the IPFS store…");
    const ipfs = await openIpfsStore({ apiUrl: env.IPFS_API_URL, repoPath: ipfsRepo });
    try {
      await ipfs.ping();
    } catch (error) {
      throw new StartupError(`IPFS is not reachable at ${env.IPFS_API_URL ?? ipfsRepo}: ${(error as Error).message}`);
    } finally {
      await ipfs.close();
    }

    const appEnv: Record<string, string> = {
      NODE_ENV: "production",
      DATA_DIR: dataDir,
      DATABASE_URL: database.appUrl,
      RPC_URL: rpcUrl,
      PUBLIC_RPC_URL: env.PUBLIC_RPC_URL ?? rpcUrl,
      CHAIN_ID: String(env.CHAIN_ID),
      CHAIN_NAME: env.CHAIN_NAME,
      MAX_UPLOAD_BYTES: String(env.MAX_UPLOAD_BYTES),
      ...(env.IPFS_API_URL ? { IPFS_API_URL: env.IPFS_API_URL } : {}),
      // The app we start runs in production mode, where PUBLIC_URL is required (SIWE and the CSRF check bind
      // to it): unset, it is the URL we start it at (as `npm start` prints). `npm run dev` (app: false) keeps
      // taking it from the request.
      ...(env.PUBLIC_URL || options.app ? { PUBLIC_URL: env.PUBLIC_URL ?? `http://${env.HOST === "0.0.0.0" ? "127.0.0.1" : env.HOST}:${env.PORT}` } : {}),
    };

    let app: RunningApp | undefined;
    if (options.app) {
      const appOptions = { host: env.HOST, port: env.PORT, env: appEnv, distDir: options.app.distDir, onOutput: options.onAppOutput, pidFile: path.join(dataDir, "app.pid") };
      if (options.app.build) {
        const built = await buildAppIfChanged(appOptions, () => log("Building the app (next build)…"));
        if (built === "up-to-date") log("App build is up to date (sources and configuration unchanged): skipped next build.");
      }
      log("Starting the app…");
      app = await startApp(appOptions);
      stops.push(app.stop);
    }

    return {
      dataDir,
      chain,
      rpcUrl,
      addresses,
      database,
      ipfs: { kind: env.IPFS_API_URL ? "kubo" : "embedded", location: env.IPFS_API_URL ?? ipfsRepo },
      app,
      appEnv,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
