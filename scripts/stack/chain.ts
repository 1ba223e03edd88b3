import { fork } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
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
 * Ganache in a child process (chain-process.mjs): deterministic accounts, pinned chain and network id, state on
 * disk. It loads beside the rest of the start and answers JSON-RPC on its own event loop; it closes its data
 * and exits when asked, and by itself when this process goes away.
 */
export async function startChain(options: ChainOptions): Promise<RunningChain> {
  const host = HOST;
  await assertPortFree(options.port, host, "chain RPC", "CHAIN_PORT");
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  // Plain JavaScript: no TypeScript loader to start.
  const child = fork(fileURLToPath(new URL("./chain-process.mjs", import.meta.url)), [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Through the channel, not the command line: the mnemonic stays out of the process list.
  child.send({ start: { port: options.port, host, chainId: options.chainId, mnemonic: options.mnemonic, accounts: options.accounts ?? 10, dbPath: options.dbPath } });
  const answer = await new Promise<{ ready?: true; accounts?: string[]; error?: string }>((resolve) => {
    child.once("message", (message) => resolve(message as { ready?: true; accounts?: string[]; error?: string }));
    child.once("error", (error) => resolve({ error: error.message.split("\n")[0] }));
    void exited.then(() => resolve({ error: "the chain's process ended" }));
  });
  if (!answer.ready) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
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
      if (child.connected) child.send("close");
      await exited;
    },
  };
}
