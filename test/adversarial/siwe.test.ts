import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiClient, ganacheSign, signInMessage } from "../support/api/api-client";
import { stackUnderTest } from "../support/stack-env";

/*
 * Sign-In with Ethereum under attack: replays, races on one nonce, messages not yet valid or oversized.
 * Every case asserts the exact answer. (auth.test.ts covers domain, URI, chain, expiry, another key.)
 * Account 27 only signs in (never registers), as the browser tests' SIWE-only accounts may.
 */
const stack = stackUnderTest();
const account = stack.accounts[27]!;
const unauthenticated = (message: string) => ({ error: { code: "unauthenticated", message } });
const NONCE_USED = unauthenticated("The sign-in nonce is unknown, expired or already used; sign in again.");

async function signedBody(client: ApiClient, edit: (message: string) => string = (m) => m) {
  const message = edit(signInMessage({ address: account, nonce: await client.nonce() }));
  return { message, signature: await ganacheSign(account, message) };
}

describe("SIWE replay and races", () => {
  it("a signed message that worked once is refused when replayed, from the same or another client", async () => {
    const first = new ApiClient();
    const body = await signedBody(first);
    assert.equal((await first.post("/api/auth/verify", { json: body })).status, 200);
    for (const client of [first, new ApiClient()]) {
      const replay = await client.post("/api/auth/verify", { json: body });
      assert.deepEqual([replay.status, replay.body, replay.headers.get("set-cookie")], [401, NONCE_USED, null]);
    }
  });

  it("of 10 parallel verifications of one signed message exactly one succeeds", async () => {
    const body = await signedBody(new ApiClient());
    const answers = await Promise.all(Array.from({ length: 10 }, () => new ApiClient().post("/api/auth/verify", { json: body })));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, ...Array<number>(9).fill(401)]);
    for (const answer of answers.filter((a) => a.status === 401)) assert.deepEqual(answer.body, NONCE_USED);
    assert.equal(answers.filter((a) => a.headers.get("set-cookie")).length, 1);
  });

  it("a refused message does not burn a fresh nonce for the right one, but a used nonce stays used", async () => {
    const client = new ApiClient();
    const nonce = await client.nonce();
    const wrong = signInMessage({ address: account, nonce, chainId: 1 });
    const refused = await client.post("/api/auth/verify", { json: { message: wrong, signature: await ganacheSign(account, wrong) } });
    assert.equal(refused.status, 401);
    const right = signInMessage({ address: account, nonce });
    assert.equal((await client.post("/api/auth/verify", { json: { message: right, signature: await ganacheSign(account, right) } })).status, 200);
  });
});

describe("SIWE validity window and sizes", () => {
  it("refuses a message whose Not Before is in the future", async () => {
    const client = new ApiClient();
    const notBefore = new Date(Date.now() + 5 * 60_000).toISOString();
    const body = await signedBody(client, (message) => message.replace(/(\nExpiration Time: [^\n]*)/, `$1\nNot Before: ${notBefore}`));
    assert.match(body.message, /\nNot Before: /);
    const answer = await client.post("/api/auth/verify", { json: body });
    assert.deepEqual([answer.status, answer.body], [401, unauthenticated("The sign-in message is not valid yet.")]);
  });

  it("refuses a message valid for longer than a day", async () => {
    const client = new ApiClient();
    const message = signInMessage({ address: account, nonce: await client.nonce(), expirationTime: new Date(Date.now() + 25 * 60 * 60_000) });
    const answer = await client.post("/api/auth/verify", { json: { message, signature: await ganacheSign(account, message) } });
    assert.deepEqual([answer.status, answer.body], [401, unauthenticated("The sign-in message is valid for too long.")]);
  });

  it("answers 422 for a message over 4096 characters and 413 for a body over 64 KiB, before any signature check", async () => {
    const client = new ApiClient();
    const big = await signedBody(client, (message) => message.replace(/\n\nURI: /, `\n\n${"A".repeat(5000)}\n\nURI: `));
    const answer = await client.post("/api/auth/verify", { json: big });
    assert.deepEqual([answer.status, answer.body], [
      422,
      { error: { code: "invalid_input", message: "The request body is invalid.", details: [{ path: "message", message: "Too big: expected string to have <=4096 characters" }] } },
    ]);
    const huge = await client.post("/api/auth/verify", { json: { message: "x".repeat(70_000), signature: `0x${"11".repeat(65)}` } });
    assert.deepEqual([huge.status, huge.body], [413, { error: { code: "payload_too_large", message: "The request body is larger than 65536 bytes." } }]);
  });

  it("identity in headers or the body is ignored: only the session cookie names the caller", async () => {
    const client = new ApiClient();
    const answer = await client.get("/api/auth/session", { headers: { "x-address": account, authorization: `Bearer ${account}`, cookie: `address=${account}` } });
    assert.deepEqual([answer.status, answer.body], [401, unauthenticated("Sign in with your wallet first.")]);
  });
});
