import { mkdir } from "node:fs/promises";
import { Worker } from "node:worker_threads";
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

/**
 * Ganache in a worker thread of this process (chain-worker.mjs): deterministic accounts, pinned chain and network
 * id, state on disk. Its own thread answers JSON-RPC, so the app's requests do not wait for this one's work.
 */
export async function startChain(options: ChainOptions): Promise<RunningChain> {
  const host = HOST;
  await assertPortFree(options.port, host, "chain RPC", "CHAIN_PORT");
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const worker = new Worker(new URL("./chain-worker.mjs", import.meta.url), {
    workerData: { port: options.port, host, chainId: options.chainId, mnemonic: options.mnemonic, accounts: options.accounts ?? 10, dbPath: options.dbPath },
    // The worker is plain JavaScript: no TypeScript loader to start.
    execArgv: [],
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const answer = await new Promise<{ ready?: true; accounts?: string[]; error?: string }>((resolve) => {
    worker.once("message", resolve);
    worker.once("error", (error) => resolve({ error: error.message.split("\n")[0] }));
    void exited.then(() => resolve({ error: "the chain's thread ended" }));
  });
  if (!answer.ready) {
    // The thread ends by itself (chain-worker.mjs); unref'd so that it never keeps this process alive.
    worker.unref();
    const detail = answer.error ?? "no answer";
    throw new StartupError(
      options.dbPath
        ? `The chain data in ${options.dbPath} cannot be opened (${detail}): move that folder away to start a fresh chain.`
        : `Ganache failed to start: ${detail}`,
    );
  }
  return {
    rpcUrl: embeddedRpcUrl(options.port),
    accounts: answer.accounts ?? [],
    close: async () => {
      worker.postMessage("close");
      await exited;
    },
  };
}
