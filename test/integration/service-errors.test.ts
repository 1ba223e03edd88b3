import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { startApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient } from "../support/api/api-client";

const stack = stackUnderTest();
const account = stack.accounts[12]!;

/** A second server from the same build, with some services pointed at a closed port. */
async function withBrokenApp(overrides: Record<string, string>, work: (client: ApiClient) => Promise<void>) {
  const port = await freePort();
  // In production PUBLIC_URL is required and sign-in binds to it: this server's own URL.
  const env = { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, ...overrides };
  const app = await startApp({ host: "127.0.0.1", port, distDir: stack.distDir, env });
  try {
    await work(new ApiClient(app.url));
  } finally {
    await app.stop();
  }
}

describe("backing services down", () => {
  it("answers 503 with a clear message when PostgreSQL or the chain node is unreachable", async () => {
    const closed = await freePort();
    await withBrokenApp({ DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${closed}/none` }, async (client) => {
      const nonce = await client.get("/api/auth/nonce");
      assert.deepEqual([nonce.status, nonce.body], [503, { error: { code: "service_unavailable", message: "The database is not reachable; try again shortly." } }]);
    });
    await withBrokenApp({ RPC_URL: `http://127.0.0.1:${closed}` }, async (client) => {
      assert.equal((await client.signIn(account!)).status, 200);
      const put = await client.put("/api/keys/me", { json: { publicKey: `0x${"11".repeat(32)}` } });
      assert.deepEqual([put.status, put.body], [503, { error: { code: "service_unavailable", message: "The chain node is not reachable; try again shortly." } }]);
    });
  });

  it("answers 503 when the chain node accepts connections but never answers (request timeout)", async () => {
    const hanging = net.createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const { port } = hanging.address() as net.AddressInfo;
    try {
      await withBrokenApp({ RPC_URL: `http://127.0.0.1:${port}` }, async (client) => {
        assert.equal((await client.signIn(account)).status, 200);
        const started = Date.now();
        const put = await client.put("/api/keys/me", { json: { publicKey: `0x${"11".repeat(32)}` } });
        assert.deepEqual([put.status, put.body], [503, { error: { code: "service_unavailable", message: "The chain node is not reachable; try again shortly." } }]);
        assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
      });
    } finally {
      hanging.close();
    }
  });
});
