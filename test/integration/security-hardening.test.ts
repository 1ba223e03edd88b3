import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import http from "node:http";
import { describe, it } from "node:test";
import { startApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, ganacheSign, signedInClient, signInMessage } from "../support/api/api-client";
import { withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
/** Account 37 signs in only (never registered); "sign out everywhere" ends all its sessions. */
const account = stack.accounts[37]!;
const address = account.toLowerCase();
/** SIWE-only account of the browser tests (harmless to sign in with) for the rate-limited server. */
const limitedAccount = stack.accounts[28]!;

const sessionRows = () => withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM sessions WHERE address = $1", [address])).rows[0]!.n));

describe("automatic logoff (HIPAA 164.312(a)(2)(iii))", () => {
  it("ends a session idle for SESSION_IDLE_MINUTES (default 15) and deletes it; use keeps it alive", async () => {
    const client = await signedInClient(account);
    assert.equal((await client.get("/api/auth/session")).status, 200);
    // 14 minutes idle: still alive, and the request moves last_seen_at to now.
    await withDatabase((db) => db.query("UPDATE sessions SET last_seen_at = now() - interval '14 minutes' WHERE address = $1", [address]));
    assert.equal((await client.get("/api/auth/session")).status, 200);
    const idle = await withDatabase(async (db) => (await db.query<{ s: number }>("SELECT extract(epoch FROM now() - last_seen_at)::float AS s FROM sessions WHERE address = $1", [address])).rows[0]!.s);
    assert.ok(idle < 5, `last_seen_at is ${idle} s old after a request`);
    // 15 minutes and a second idle: gone.
    await withDatabase((db) => db.query("UPDATE sessions SET last_seen_at = now() - interval '15 minutes 1 second' WHERE address = $1", [address]));
    const after = await client.get("/api/auth/session");
    assert.deepEqual([after.status, after.body], [401, { error: { code: "unauthenticated", message: "Sign in with your wallet first." } }]);
    assert.equal(await sessionRows(), 0);
  });

  it("ends a session at its absolute limit however active", async () => {
    const client = await signedInClient(account);
    await withDatabase((db) => db.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE address = $1", [address]));
    assert.equal((await client.get("/api/auth/session")).status, 401);
    assert.equal(await sessionRows(), 0);
  });
});

describe("sign out everywhere", () => {
  it("POST /api/auth/logout-all ends every session of the address and clears the cookie", async () => {
    await withDatabase((db) => db.query("DELETE FROM sessions WHERE address = $1", [address]));
    const laptop = await signedInClient(account);
    const phone = await signedInClient(account);
    const other = await signedInClient(stack.accounts[29]!);
    assert.equal(await sessionRows(), 2);
    const answer = await laptop.fetch("POST", "/api/auth/logout-all");
    assert.equal(answer.status, 204);
    assert.match(answer.headers.get("set-cookie") ?? "", /^ehr_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0$/);
    assert.equal((await laptop.get("/api/auth/session")).status, 401);
    assert.equal((await phone.get("/api/auth/session")).status, 401);
    assert.equal(await sessionRows(), 0);
    // Another address's session is untouched.
    assert.equal((await other.get("/api/auth/session")).status, 200);
    // Without a session: 401, like every signed-in route.
    assert.equal((await new ApiClient().post("/api/auth/logout-all")).status, 401);
  });
});

describe("security headers", () => {
  it("every page and route sends the CSP (no unsafe-eval, frame-ancestors 'none'), nosniff and no-referrer; HSTS only over https", async () => {
    for (const path of ["/", "/api/health", "/api/auth/nonce", "/api/auth/session", "/no-such-page"]) {
      const response = await fetch(new URL(path, stack.appUrl));
      const csp = response.headers.get("content-security-policy") ?? "";
      assert.match(csp, /(^|; )default-src 'self'(;|$)/, path);
      assert.match(csp, /(^|; )frame-ancestors 'none'(;|$)/, path);
      assert.match(csp, /(^|; )object-src 'none'(;|$)/, path);
      assert.doesNotMatch(csp, /'unsafe-eval'/, path);
      assert.match(csp, /(^|; )script-src [^;]*'wasm-unsafe-eval'/, `${path}: libsodium's WebAssembly may compile`);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
      assert.equal(response.headers.get("strict-transport-security"), null, `${path} over http`);
      await response.arrayBuffer();
    }
    const overHttps = await fetch(new URL("/", stack.appUrl), { headers: { "x-forwarded-proto": "https" } });
    assert.equal(overHttps.headers.get("strict-transport-security"), "max-age=63072000; includeSubDomains");
  });
});

/** A JSON-RPC proxy to the test chain that can lie about eth_chainId. */
async function chainIdProxy() {
  const state = { chainId: undefined as number | undefined };
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", async () => {
      const parsed = JSON.parse(body) as { id: unknown; method: string };
      let text: string;
      if (state.chainId !== undefined && !Array.isArray(parsed) && parsed.method === "eth_chainId") {
        text = JSON.stringify({ jsonrpc: "2.0", id: parsed.id, result: `0x${state.chainId.toString(16)}` });
      } else {
        text = await (await fetch(stack.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body })).text();
      }
      response.writeHead(200, { "content-type": "application/json" }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("the chain's id must equal CHAIN_ID", () => {
  it("refuses to start on another chain, with a message naming both ids", async () => {
    const proxy = await chainIdProxy();
    proxy.state.chainId = 5;
    const output: string[] = [];
    try {
      const port = await freePort();
      await assert.rejects(
        startApp({ host: "127.0.0.1", port, distDir: stack.distDir, env: { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, RPC_URL: proxy.url }, onOutput: (line) => output.push(line) }),
        /The app server exited during start-up \(exit 1\)/,
      );
      assert.ok(
        output.some((line) => line.includes(`Error: the chain node at ${proxy.url} is on chain 5, not CHAIN_ID=${stack.chainId}; refusing to start.`)),
        output.join("\n"),
      );
    } finally {
      await proxy.close();
    }
  });

  it("/api/health answers 503 naming the mismatch when the node changes chain after start", async () => {
    const proxy = await chainIdProxy();
    const port = await freePort();
    const app = await startApp({ host: "127.0.0.1", port, distDir: stack.distDir, env: { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, RPC_URL: proxy.url } });
    try {
      assert.equal((await fetch(new URL("/api/health", app.url))).status, 200);
      proxy.state.chainId = 5;
      const response = await fetch(new URL("/api/health", app.url));
      assert.equal(response.status, 503);
      const body = (await response.json()) as { ok: boolean; chain: { ok: boolean; chainId: number; expectedChainId: number; error: string } };
      assert.equal(body.ok, false);
      assert.deepEqual([body.chain.ok, body.chain.chainId, body.chain.expectedChainId, body.chain.error], [false, 5, stack.chainId, `The node is on chain 5, not ${stack.chainId}.`]);
    } finally {
      await app.stop();
      await proxy.close();
    }
  });
});

describe("rate limits (counted in PostgreSQL)", () => {
  /** A client whose every request claims one address (no proxy in front: the rightmost X-Forwarded-For entry counts). */
  const fromAddress = (baseUrl: string, ip: string) => {
    const client = new ApiClient(baseUrl);
    const request = client.request.bind(client);
    client.request = (method, path, options = {}) => request(method, path, { ...options, headers: { ...options.headers, "x-forwarded-for": ip } });
    return client;
  };
  const signIn = async (client: ApiClient, baseUrl: string) => {
    const { nonce } = (await client.get("/api/auth/nonce")).body as { nonce: string };
    const message = signInMessage({ address: limitedAccount, nonce, baseUrl });
    const answer = await client.post("/api/auth/verify", { json: { message, signature: await ganacheSign(limitedAccount, message) } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    client.cookie = answer.headers.get("set-cookie")!.split(";")[0];
  };
  const randomIp = () => `198.51.100.${randomInt(1, 255)}, 203.0.113.${randomInt(1, 255)}`;

  it("answers 429 with Retry-After and the one error shape, per client address on sign-in and per session on record queries", async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = await startApp({
      host: "127.0.0.1",
      port,
      distDir: stack.distDir,
      env: { ...stack.appEnv, PUBLIC_URL: baseUrl, RATE_LIMIT_SIGN_IN: "4", RATE_LIMIT_RECORDS: "2" },
    });
    try {
      // Sign-in: 4 requests a minute per address (nonce and verify alike); a sign-in takes 2.
      const client = fromAddress(baseUrl, randomIp());
      await signIn(client, baseUrl);
      assert.equal((await client.get("/api/auth/nonce")).status, 200);
      assert.equal((await client.get("/api/auth/nonce")).status, 200);
      const limited = await client.get("/api/auth/nonce");
      assert.equal(limited.status, 429);
      assert.match((limited.body as { error: { message: string } }).error.message, /^Too many requests; try again in \d+ s\.$/);
      assert.equal((limited.body as { error: { code: string } }).error.code, "rate_limited");
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal((await client.post("/api/auth/verify", { json: { message: "x", signature: "0x" } })).status, 429);
      // Another address is not affected.
      assert.equal((await fromAddress(baseUrl, randomIp()).get("/api/auth/nonce")).status, 200);

      // Record queries: 2 a minute per session.
      const query = () => client.post("/api/records/query", { json: { recordIds: ["1"] } });
      assert.equal((await query()).status, 200);
      assert.equal((await query()).status, 200);
      const third = await query();
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get("retry-after")) >= 1);
      // A second session of the same wallet has its own count.
      const second = fromAddress(baseUrl, randomIp());
      await signIn(second, baseUrl);
      assert.equal((await second.post("/api/records/query", { json: { recordIds: ["1"] } })).status, 200);
      // The counts are in PostgreSQL, shared by every instance.
      const rows = await withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM rate_limits WHERE key LIKE 'rl:records:session:%'")).rows[0]!.n));
      assert.ok(rows >= 2, `${rows} session rows`);
    } finally {
      await app.stop();
    }
  });
});
