import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Env } from "@/lib/config";
import { openIpfsStore } from "@/lib/ipfs";
import { embeddedRpcUrl, startChain, type RunningChain } from "./chain";
import { CONTRACTS_MODULE } from "./contracts-module";
import { compileContracts, contractsLookCurrent, deployContracts } from "./deploy";
import type { ContractAddresses } from "./artifacts";
import { appDatabaseUrl, connectExternalDatabase, embeddedDatabaseLooksCurrent, startEmbeddedDatabase, type RunningDatabase } from "./database";
import { buildAppFrom, checkBuild, spawnApp, type AppOptions, type RunningApp } from "./app";
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
  /**
   * Given, as soon as the start begins, the function that stops whatever has started so far (the same as the
   * returned stack's stop()): `npm start` calls it on Ctrl-C during the start, while the app may already run.
   */
  onStop?: (stop: () => Promise<void>) => void;
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

/**
 * Brings up chain, contracts, database, IPFS store and app; on failure stops what started.
 *
 * Chain and database start side by side. The app waits for them only when this start may change what it
 * depends on (a build to make, contracts to compile or deploy, migrations to run, a fresh data folder):
 * on a restart with nothing changed it starts at once, beside them, and /api/health turns green when the
 * chain, the database and the IPFS store answer (it checks each). Should the contracts module change after
 * all (the chain had lost its contracts), the app is stopped, rebuilt if needed, and started again.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { env, log } = options;
  const dataDir = path.resolve(env.DATA_DIR);
  const running: { app?: RunningApp; database?: RunningDatabase; chain?: RunningChain } = {};
  let stopping = false;
  // Servers being started: stop() waits for them, so one that comes up during a Ctrl-C is stopped too.
  const starting = new Set<Promise<unknown>>();
  const whileStarting = async <T>(begin: () => Promise<T>): Promise<T> => {
    if (stopping) throw new StartupError("Stopped during start-up.");
    const work = begin();
    starting.add(work);
    void work.catch(() => {}).finally(() => starting.delete(work));
    return work;
  };
  // Ctrl-C stops the app first (nothing then writes), then the database, then the chain.
  const stop = async () => {
    stopping = true;
    while (starting.size) await Promise.allSettled([...starting]);
    const { app, database, chain } = running;
    running.app = running.database = running.chain = undefined;
    await app?.stop().catch(() => {});
    await database?.stop().catch(() => {});
    await chain?.close().catch(() => {});
  };
  options.onStop?.(stop);
  /** Spawns the app, registered at once so that stop() ends it even while it boots; resolves once it answers. */
  const startApp = async (appOptions: AppOptions): Promise<RunningApp> => {
    const app = await whileStarting(() => spawnApp(appOptions).then((spawned) => (running.app = spawned)));
    await app.ready;
    return { url: app.url, stop: app.stop };
  };
  const ipfsRepo = path.join(dataDir, "ipfs");
  const pgDir = path.join(dataDir, "pg");
  const recordPath = path.join(dataDir, "deployment.json");
  const rpcUrl = options.embeddedChain ? embeddedRpcUrl(env.CHAIN_PORT) : env.RPC_URL;
  const databaseAppUrl = appDatabaseUrl(env);
  const appEnv: Record<string, string> = {
    NODE_ENV: "production",
    DATA_DIR: dataDir,
    DATABASE_URL: databaseAppUrl,
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
  let chainListening = !options.embeddedChain;
  const appOptions: AppOptions | undefined = options.app
    ? {
        host: env.HOST,
        port: env.PORT,
        env: appEnv,
        distDir: options.app.distDir,
        pidFile: path.join(dataDir, "app.pid"),
        onOutput: (line) => {
          // Started beside our own Ganache, the app may look for it before it listens; the chain id it would
          // check is the one we give Ganache, and /api/health checks it again: not worth a warning.
          if (!chainListening && /did not answer at start/.test(line)) return;
          options.onAppOutput?.(line);
        },
      }
    : undefined;

  try {
    // The chain starts first: its process takes longest to load, and nothing it does waits for the checks below
    // (the contract check that may rewrite the contracts module runs after them).
    if (options.embeddedChain) log("Starting Ganache…");
    const chainStarting = options.embeddedChain
      ? whileStarting(() =>
          startChain({ dbPath: path.join(dataDir, "chain"), port: env.CHAIN_PORT, chainId: env.CHAIN_ID, mnemonic: env.CHAIN_MNEMONIC, accounts: options.chainAccounts }).then(
            (started) => (running.chain = started),
          ),
        )
      : undefined;
    chainStarting?.catch(() => {}); // reported through chainWork below, or stopped by stop() if the checks fail
    // Quick checks from files, while this process is idle (loading PostgreSQL's and the IPFS store's modules
    // below keeps it busy). What the app was built from is taken before the chain work may rewrite the
    // contracts module; whether chain and database come up as they were left decides if the app starts beside them.
    const contractsModuleBefore = await readContractsModule();
    const [build, databaseCurrent, contractsCurrent] = await Promise.all([
      appOptions && options.app && options.app.build ? checkBuild(appOptions) : undefined,
      env.DATABASE_URL ? false : embeddedDatabaseLooksCurrent(pgDir),
      options.embeddedChain ? contractsLookCurrent(recordPath, env.CHAIN_ID) : true,
    ]);
    const startEarly = appOptions !== undefined && (build?.current ?? true) && databaseCurrent && contractsCurrent;
    let appStarting: Promise<RunningApp> | undefined;
    if (appOptions && startEarly) {
      if (build) log("App build is up to date (sources and configuration unchanged): skipped next build.");
      log("Starting the app beside the chain and database…");
      appStarting = startApp(appOptions);
    }

    const databaseWork = (async () => {
      log(env.DATABASE_URL ? "Migrating the database…" : "Starting PostgreSQL…");
      const database = await whileStarting(() =>
        (env.DATABASE_URL ? connectExternalDatabase(env.DATABASE_URL, databaseAppUrl) : startEmbeddedDatabase(pgDir, env.EMBEDDED_PG_PORT)).then(
          (started) => (running.database = started),
        ),
      );
      log(`Database ready (schema v${database.schemaVersion}).`);
      return database;
    })();
    const chainWork = (async () => {
      if (!chainStarting) return { addresses: undefined };
      const chain = await chainStarting;
      // Interrupted: no compiling or migrating against a chain about to close.
      if (stopping) throw new StartupError("Stopped during start-up.");
      chainListening = true;
      log("Ganache is up.");
      await compileContracts(() => log("Compiling contracts…"));
      log("Checking deployed contracts…");
      const deployed = await deployContracts({
        rpcUrl: chain.rpcUrl,
        chainId: env.CHAIN_ID,
        recordPath,
        truffleEnv: { CHAIN_PORT: String(env.CHAIN_PORT) },
      });
      log(deployed.migrated ? "Contracts migrated." : "Contracts already deployed: kept the chain's state.");
      return { addresses: deployed.addresses };
    })();
    const ipfsWork = (async () => {
      log(env.IPFS_API_URL ? "Checking the Kubo node…" : "Opening the IPFS store…");
      const ipfs = await openIpfsStore({ apiUrl: env.IPFS_API_URL, repoPath: ipfsRepo });
      try {
        await ipfs.ping();
      } catch (error) {
        throw new StartupError(`IPFS is not reachable at ${env.IPFS_API_URL ?? ipfsRepo}: ${(error as Error).message}`);
      } finally {
        await ipfs.close();
      }
    })();

    // Something will change: the app starts on the finished chain, contracts, database and IPFS store, built from them.
    if (appOptions && options.app && !startEarly) {
      const appOptionsLate = appOptions;
      const buildLate = options.app.build;
      appStarting = (async () => {
        await Promise.all([chainWork, databaseWork, ipfsWork]);
        if (buildLate) {
          const check = build && (await readContractsModule()) === contractsModuleBefore ? build : await checkBuild(appOptionsLate);
          if (check.current) log("App build is up to date (sources and configuration unchanged): skipped next build.");
          else {
            log("Building the app (next build)…");
            await buildAppFrom(appOptionsLate, check.fingerprint);
          }
        }
        log("Starting the app…");
        return startApp(appOptionsLate);
      })();
    }
    const appWork = appStarting ?? Promise.resolve(undefined);

    // Wait for everything before failing, so whatever did start is registered and stopped.
    const results = await Promise.allSettled([chainWork, databaseWork, ipfsWork, appWork]);
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const { addresses } = await chainWork;
    const database = await databaseWork;
    let app = await appWork;

    // The app started before the chain work: if that work changed the contracts module after all, the build
    // it runs may hold other addresses or ABIs; stop it, rebuild when its fingerprint says so, start again.
    if (startEarly && app && appOptions && options.app && options.app.build && (await readContractsModule()) !== contractsModuleBefore) {
      const check = await checkBuild(appOptions);
      if (!check.current) {
        log("The contracts changed: rebuilding the app (next build)…");
        running.app = undefined;
        await app.stop();
        await buildAppFrom(appOptions, check.fingerprint);
        log("Starting the app…");
        app = await startApp(appOptions);
      }
    }

    if (stopping) throw new StartupError("Stopped during start-up.");
    return {
      dataDir,
      chain: running.chain,
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

/** The typed contracts module as it is now ("" when missing): the app's build depends on it. */
const readContractsModule = () => readFile(CONTRACTS_MODULE, "utf8").catch(() => "");
