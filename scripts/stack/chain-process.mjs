// Ganache in a child process of the stack (scripts/stack/chain.ts): loading it keeps a thread busy for a second
// or two, which then runs beside the database, the IPFS check and the app's start instead of blocking them, and
// its own event loop answers JSON-RPC. Plain JavaScript, so it starts without the TypeScript loader.
// IPC messages: from the parent { start: options } then "close"; to it { ready, accounts } or { error }.
// When the parent goes away, even killed with SIGKILL, the channel closes and the chain closes its data and
// exits: no chain is left behind.
import { createRequire } from "node:module";

const ganache = createRequire(import.meta.url)("ganache");

let closing;
const closeAndExit = (server) => {
  closing ??= (server ? server.close() : Promise.resolve()).catch(() => {}).finally(() => process.exit(0));
};

process.once("message", async ({ start }) => {
  const { port, host, chainId, mnemonic, accounts, dbPath } = start;
  const server = ganache.server({
    logging: { quiet: true },
    // Truffle keys artifacts by network id; Ganache would otherwise use the start time.
    chain: { chainId, networkId: chainId },
    wallet: { mnemonic, totalAccounts: accounts, defaultBalance: 1000 },
    // Ganache rejects `database: undefined`; leaving the key out means an in-memory chain.
    ...(dbPath ? { database: { dbPath } } : {}),
  });
  // Ganache opens its database in the background and reports a corrupt one as an "error" event nobody listens
  // to, which would end this process with a stack trace; catch that while listening instead.
  let onCrash;
  const crashed = new Promise((_, reject) => {
    onCrash = reject;
    process.once("uncaughtException", onCrash);
  });
  try {
    await Promise.race([server.listen(port, host), crashed]);
    // The database may finish opening just after listen(): one request proves it works.
    await Promise.race([server.provider.request({ method: "eth_blockNumber", params: [] }), crashed]);
    process.removeListener("uncaughtException", onCrash);
  } catch (error) {
    // Not closed: after a failed open Ganache's close() never settles.
    process.send({ error: (error instanceof Error ? error.message : String(error)).split("\n")[0] }, () => process.exit(1));
    return;
  }
  process.once("message", () => closeAndExit(server));
  process.once("disconnect", () => closeAndExit(server));
  process.once("SIGTERM", () => closeAndExit(server));
  process.send({ ready: true, accounts: Object.keys(server.provider.getInitialAccounts()) });
});
process.once("disconnect", () => closeAndExit(undefined));
// Ctrl-C in a terminal reaches the whole process group: the parent stops app, database and chain in that
// order, so the chain waits for its "close" (or for the parent to go away).
process.on("SIGINT", () => {});
