// Ganache in a worker thread of the stack's process (scripts/stack/chain.ts): loading it keeps a thread busy
// for a second or two, which then runs beside the database, the IPFS check and the app's start instead of
// blocking them; it still ends with the process (a SIGKILL leaves no chain behind). Plain JavaScript, so the
// worker starts without the TypeScript loader. Messages: to the parent { ready, accounts } or { error };
// from it "close", answered by the worker ending once the chain's data is closed.
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

const { port, host, chainId, mnemonic, accounts, dbPath } = workerData;
const ganache = createRequire(import.meta.url)("ganache");
const options = {
  logging: { quiet: true },
  // Truffle keys artifacts by network id; Ganache would otherwise use the start time.
  chain: { chainId, networkId: chainId },
  wallet: { mnemonic, totalAccounts: accounts, defaultBalance: 1000 },
  // Ganache rejects `database: undefined`; leaving the key out means an in-memory chain.
  ...(dbPath ? { database: { dbPath } } : {}),
};

// Ganache opens its database in the background and reports a corrupt one as an "error" event nobody listens
// to, which would end this thread with a stack trace; catch that instead.
let onCrash;
const crashed = new Promise((_, reject) => {
  onCrash = reject;
  process.once("uncaughtException", onCrash);
});
let server;
try {
  // The data is opened once without the HTTP server first: a thread whose server socket is open cannot end
  // cleanly after a failed open (Node aborts), and the parent must be able to report the error and exit.
  if (dbPath) {
    const provider = ganache.provider(options);
    await Promise.race([provider.request({ method: "eth_blockNumber", params: [] }), crashed]);
    await provider.disconnect();
  }
  server = ganache.server(options);
  await Promise.race([server.listen(port, host), crashed]);
  // The database may finish opening just after listen(): one request proves it works.
  await Promise.race([server.provider.request({ method: "eth_blockNumber", params: [] }), crashed]);
  process.removeListener("uncaughtException", onCrash);
  parentPort.postMessage({ ready: true, accounts: Object.keys(server.provider.getInitialAccounts()) });
  parentPort.once("message", () => {
    void server.close().finally(() => process.exit(0));
  });
} catch (error) {
  // Not closed: after a failed open Ganache's close() never settles.
  parentPort.postMessage({ error: (error instanceof Error ? error.message : String(error)).split("\n")[0] });
  if (!server) process.exit(1);
}
