import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { DEV_MNEMONIC } from "@/lib/config";
import { loadMigrations } from "@/lib/db/migrate";
import { startChain } from "@/scripts/stack/chain";
import { embeddedDatabaseLooksCurrent } from "@/scripts/stack/database";
import { assertPortFree, freePort } from "@/scripts/stack/ports";
import { makeTempDir } from "../support/temp-dir";

async function listen(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("start-up errors", () => {
  it("says which port is taken and which variable moves it", async () => {
    const busy = await listen();
    try {
      await assert.rejects(assertPortFree(busy.port, "127.0.0.1", "chain RPC", "CHAIN_PORT"), {
        name: "StartupError",
        message: `Port ${busy.port} (chain RPC) is already in use: stop the program using it or set CHAIN_PORT to a free port.`,
      });
    } finally {
      await busy.close();
    }
  });

  it("accepts a free port", async () => {
    await assertPortFree(await freePort(), "127.0.0.1", "app", "PORT");
  });

  it("lets the app start beside the database only when its last start left it at the latest migration", async () => {
    const dir = await makeTempDir("pg-current");
    try {
      const pgDir = path.join(dir.path, "pg");
      const record = (schemaVersion: unknown) => writeFile(path.join(dir.path, "pg-schema.json"), JSON.stringify({ schemaVersion }));
      const latest = (await loadMigrations()).at(-1)!.version;
      assert.equal(await embeddedDatabaseLooksCurrent(pgDir), false, "no database yet");
      await record(latest);
      assert.equal(await embeddedDatabaseLooksCurrent(pgDir), false, "a record without the database");
      await mkdir(pgDir);
      await writeFile(path.join(pgDir, "PG_VERSION"), "17\n");
      assert.equal(await embeddedDatabaseLooksCurrent(pgDir), true);
      await record(latest - 1);
      assert.equal(await embeddedDatabaseLooksCurrent(pgDir), false, "a migration to run");
      await writeFile(path.join(dir.path, "pg-schema.json"), "{");
      assert.equal(await embeddedDatabaseLooksCurrent(pgDir), false, "an unreadable record");
    } finally {
      await dir.remove();
    }
  });

  it("keeps chain state across restarts of the same data folder", async () => {
    const dir = await makeTempDir("chain");
    try {
      const options = { dbPath: path.join(dir.path, "chain"), port: await freePort(), chainId: 1337, mnemonic: DEV_MNEMONIC };
      const first = await startChain(options);
      const blockNumber = async (url: string) => {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }) });
        return ((await response.json()) as { result: string }).result;
      };
      await fetch(first.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }) });
      assert.equal(await blockNumber(first.rpcUrl), "0x1");
      await first.close();
      const second = await startChain(options);
      assert.equal(await blockNumber(second.rpcUrl), "0x1");
      assert.equal(second.accounts[0], first.accounts[0]);
      await second.close();
    } finally {
      await dir.remove();
    }
  });

  it("leaves no chain behind when the stack's process is killed with SIGKILL", async () => {
    const port = await freePort();
    const script = `const { startChain } = await import(${JSON.stringify(path.resolve("scripts/stack/chain.ts"))});
      await startChain({ port: ${port}, chainId: 1337, mnemonic: ${JSON.stringify(DEV_MNEMONIC)} });
      console.log("up");`;
    const stack = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      stack.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("up") && resolve());
      stack.once("exit", (code) => reject(new Error(`the chain did not start (exit ${code})`)));
    });
    stack.kill("SIGKILL");
    // The chain's own process notices its parent is gone, closes and frees the port.
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await assertPortFree(port, "127.0.0.1", "chain RPC", "CHAIN_PORT");
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it("turns a corrupt chain folder into a one-line instruction from npm start", async () => {
    const dir = await makeTempDir("chain-corrupt");
    try {
      const dbPath = path.join(dir.path, "chain");
      await (await startChain({ dbPath, port: await freePort(), chainId: 1337, mnemonic: DEV_MNEMONIC })).close();
      // LevelDB's CURRENT names the live manifest; pointing it at nothing is what a torn copy looks like.
      await writeFile(path.join(dbPath, "CURRENT"), "MANIFEST-999999\n");
      // The real entry point as `npm start` runs it, in its own process: Ganache reports this as an unhandled "error" event.
      const run = spawnSync(process.execPath, ["scripts/launch.mjs", "scripts/start.ts"], {
        env: { ...process.env, DATA_DIR: dir.path, CHAIN_PORT: String(await freePort()), PORT: String(await freePort()) },
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(run.status, 1);
      const message = run.stderr.trim();
      assert.equal(message.split("\n").length, 1, message);
      assert.match(message, new RegExp(`^The chain data in ${dbPath} cannot be opened \\(.+\\): move that folder away to start a fresh chain\\.$`));
    } finally {
      await dir.remove();
    }
  });
});
