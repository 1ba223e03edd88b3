import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, ganacheSign, signInMessage } from "../support/api/api-client";

const stack = stackUnderTest();
const [, alice, bob] = stack.accounts as [string, string, string];

const unauthenticated = (message: string) => ({ error: { code: "unauthenticated", message } });
/** A refused sign-in: 401 with the reason code in details.reason (lib/auth/server/verify-sign-in.ts). */
const refused = (reason: string, message: string) => ({ error: { code: "unauthenticated", message, details: { reason } } });
const SESSION_SHAPE = /^ehr_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/;

describe("Sign-In with Ethereum", () => {
  it("GET /api/auth/nonce answers a fresh 32-hex-char nonce each time", async () => {
    const client = new ApiClient();
    const [a, b] = [await client.nonce(), await client.nonce()];
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, b);
  });

  it("signs in with a correct message, sets the session cookie, and GET /api/auth/session answers it", async () => {
    const client = new ApiClient();
    const answer = await client.signIn(alice);
    assert.equal(answer.status, 200);
    const body = answer.body as { address: string; chainId: number; expiresAt: string };
    assert.deepEqual(body, { address: alice.toLowerCase(), chainId: stack.chainId, expiresAt: body.expiresAt });
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, `session lasts 12 h, got ${hours}`);
    assert.match(answer.headers.get("set-cookie") ?? "", SESSION_SHAPE);

    const session = await client.get("/api/auth/session");
    assert.equal(session.status, 200);
    assert.deepEqual(session.body, body);
  });

  it("logout deletes the session and clears the cookie; the old cookie no longer works", async () => {
    const client = new ApiClient();
    await client.signIn(alice);
    const oldCookie = client.cookie;
    const answer = await client.post("/api/auth/logout");
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get("set-cookie"), "ehr_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    client.cookie = oldCookie;
    const session = await client.get("/api/auth/session");
    assert.equal(session.status, 401);
    assert.deepEqual(session.body, unauthenticated("Sign in with your wallet first."));
  });

  it("answers 401 for no cookie, a malformed cookie and an unknown token", async () => {
    for (const cookie of [undefined, "ehr_session=nonsense", `ehr_session=${"A".repeat(43)}`]) {
      const client = new ApiClient();
      client.cookie = cookie;
      const answer = await client.get("/api/auth/session");
      assert.equal(answer.status, 401, String(cookie));
      assert.deepEqual(answer.body, unauthenticated("Sign in with your wallet first."));
    }
  });

  it("refuses a nonce that was already used", async () => {
    const client = new ApiClient();
    const message = signInMessage({ address: alice, nonce: await client.nonce() });
    const signature = await ganacheSign(alice, message);
    assert.equal((await client.post("/api/auth/verify", { json: { message, signature } })).status, 200);
    const again = await client.post("/api/auth/verify", { json: { message, signature } });
    assert.equal(again.status, 401);
    assert.deepEqual(again.body, refused("nonce_invalid", "The sign-in nonce is unknown, expired or already used; sign in again."));
  });

  const host = new URL(stack.appUrl).host;
  const rejections: Array<{ name: string; build: (nonce: string) => Promise<{ message: string; signature: string }>; body: unknown }> = [
    {
      name: "a signature by another account",
      build: async (nonce) => {
        const message = signInMessage({ address: alice, nonce });
        return { message, signature: await ganacheSign(bob, message) };
      },
      body: refused("signature_mismatch", "The signature does not match the message's address."),
    },
    {
      name: "a signature over another message",
      build: async (nonce) => ({
        message: signInMessage({ address: alice, nonce }),
        signature: await ganacheSign(alice, signInMessage({ address: alice, nonce: "ffffffffffffffff" })),
      }),
      body: refused("signature_mismatch", "The signature does not match the message's address."),
    },
    {
      name: "another domain",
      build: async (nonce) => signed(signInMessage({ address: alice, nonce, domain: "evil.example" })),
      body: refused("domain_mismatch", `The sign-in message is for evil.example, not ${host}.`),
    },
    {
      name: "a URI on another origin",
      build: async (nonce) => signed(signInMessage({ address: alice, nonce, uri: "https://evil.example/login" })),
      body: refused("uri_mismatch", `The sign-in message's URI is not on ${new URL(stack.appUrl).origin}.`),
    },
    {
      name: "another chain",
      build: async (nonce) => signed(signInMessage({ address: alice, nonce, chainId: 1 })),
      body: refused("chain_mismatch", `The sign-in message is for chain 1, not ${stack.chainId}.`),
    },
    {
      name: "an unknown nonce",
      build: async () => signed(signInMessage({ address: alice, nonce: "0123456789abcdef0123456789abcdef" })),
      body: refused("nonce_invalid", "The sign-in nonce is unknown, expired or already used; sign in again."),
    },
    {
      name: "an expired message",
      build: async (nonce) =>
        signed(signInMessage({ address: alice, nonce, issuedAt: new Date(Date.now() - 20 * 60_000), expirationTime: new Date(Date.now() - 60_000) })),
      body: refused("expired", "The sign-in message has expired; sign in again."),
    },
    {
      name: "a message issued in the future",
      build: async (nonce) => signed(signInMessage({ address: alice, nonce, issuedAt: new Date(Date.now() + 10 * 60_000) })),
      body: refused("issued_in_future", "The sign-in message was issued in the future."),
    },
    {
      name: "a message without an expiration time",
      build: async (nonce) => signed(signInMessage({ address: alice, nonce }).replace(/\nExpiration Time: .*$/, "")),
      body: refused("no_expiration", "The sign-in message must have an expiration time."),
    },
  ];

  for (const rejection of rejections) {
    it(`refuses ${rejection.name} with 401, a reason code, and sets no cookie`, async () => {
      const client = new ApiClient();
      const nonce = await client.nonce();
      const answer = await client.post("/api/auth/verify", { json: await rejection.build(nonce) });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, rejection.body);
      assert.equal(answer.headers.get("set-cookie"), null);
    });
  }

  const signature = `0x${"11".repeat(65)}`;
  const invalid: Array<{ name: string; body: unknown; expected: unknown }> = [
    {
      name: "an unknown field",
      body: { message: "x", signature, address: alice },
      expected: { error: { code: "invalid_input", message: "The request body is invalid.", details: [{ path: "", message: 'Unrecognized key: "address"' }] } },
    },
    {
      name: "a missing signature",
      body: { message: "x" },
      expected: {
        error: { code: "invalid_input", message: "The request body is invalid.", details: [{ path: "signature", message: "Invalid input: expected string, received undefined" }] },
      },
    },
    {
      name: "a short signature",
      body: { message: "x", signature: "0x1234" },
      expected: { error: { code: "invalid_input", message: "The request body is invalid.", details: [{ path: "signature", message: "must be a 65-byte hex signature" }] } },
    },
    {
      name: "a message that is not EIP-4361",
      body: { message: "please let me in", signature },
      expected: {
        error: { code: "invalid_input", message: "The message is not an EIP-4361 sign-in message.", details: [{ path: "message", message: "does not parse as EIP-4361" }] },
      },
    },
  ];
  for (const row of invalid) {
    it(`answers 422 for ${row.name}`, async () => {
      const answer = await new ApiClient().post("/api/auth/verify", { json: row.body });
      assert.equal(answer.status, 422);
      assert.deepEqual(answer.body, row.expected);
    });
  }

  it("answers 422 for a body that is not JSON", async () => {
    const answer = await new ApiClient().post("/api/auth/verify", { body: "{not json", headers: { "content-type": "application/json" } });
    assert.equal(answer.status, 422);
    assert.deepEqual(answer.body, { error: { code: "invalid_input", message: "The request body is not valid JSON." } });
  });
});

async function signed(message: string): Promise<{ message: string; signature: string }> {
  return { message, signature: await ganacheSign(alice, message) };
}
