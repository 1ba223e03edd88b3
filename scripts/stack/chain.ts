import { mkdir } from "node:fs/promises";
import type Ganache from "ganache";
import { StartupError } from "./errors";
import { assertPortFree } from "./ports";

export interface ChainOptions {
  /** Folder that keeps the chain between runs; omit for a throw-away in-memory chain. */
  dbPath?: string;
  port: number;
  chainId: number;
  mnemonic: string;
  accounts?: number;
}

export interface RunningChain {
  rpcUrl: string;
  accounts: string[];
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

/** Where the embedded Ganache answers (loopback only); `npm run seed` finds a running `npm start` there. */
export const embeddedRpcUrl = (port: number) => `http://${HOST}:${port}`;

/** Ganache in this process: deterministic accounts, pinned chain and network id, state on disk. */
export async function startChain(options: ChainOptions): Promise<RunningChain> {
  const host = HOST;
  await assertPortFree(options.port, host, "chain RPC", "CHAIN_PORT");
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  // Loaded here, not at the top: it takes a second or two, which then overlaps PostgreSQL starting.
  const { default: ganache } = await import("ganache");
  const server = ganache.server({
    logging: { quiet: true },
    // Truffle keys artifacts by network id; Ganache would otherwise use the start time.
    chain: { chainId: options.chainId, networkId: options.chainId },
    wallet: { mnemonic: options.mnemonic, totalAccounts: options.accounts ?? 10, defaultBalance: 1000 },
    // Ganache rejects `database: undefined`; leaving the key out means an in-memory chain.
    ...(options.dbPath ? { database: { dbPath: options.dbPath } } : {}),
  });
  try {
    await listenOrFail(server, options.port, host);
  } catch (error) {
    // Not awaited: after a failed open Ganache's close() never settles.
    server.close().catch(() => {});
    const detail = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    throw new StartupError(
      options.dbPath
        ? `The chain data in ${options.dbPath} cannot be opened (${detail}): move that folder away to start a fresh chain.`
        : `Ganache failed to start: ${detail}`,
    );
  }
  const accounts = Object.keys(server.provider.getInitialAccounts());
  return {
    rpcUrl: embeddedRpcUrl(options.port),
    accounts,
    close: () => server.close(),
  };
}

/**
 * Ganache opens its database in the background and reports a corrupt one as an "error" event nobody
 * listens to, which would crash the process with a stack trace; catch that while listening instead.
 */
async function listenOrFail(server: ReturnType<typeof Ganache.server>, port: number, host: string): Promise<void> {
  let onCrash: ((error: Error) => void) | undefined;
  const crashed = new Promise<never>((_, reject) => {
    onCrash = reject;
    process.once("uncaughtException", onCrash);
  });
  try {
    await Promise.race([server.listen(port, host), crashed]);
    // The database may finish opening just after listen(): one request proves it works.
    await Promise.race([server.provider.request({ method: "eth_blockNumber", params: [] }), crashed]);
  } finally {
    if (onCrash) process.removeListener("uncaughtException", onCrash);
  }
}
