import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ApiAnswer, ApiClient, ganacheSign, signInMessage } from "../support/api/api-client";
import { withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Sign-In with Ethereum under attack: every refusal is a 401 naming its reason in details.reason, sets no
 * cookie and opens no session; replays and races on one nonce let exactly one sign-in through.
 * Account 31 signs in (never registers); account 32 only signs as "another key".
 */
const stack = stackUnderTest();
const account = stack.accounts[31]!;
const otherKey = stack.accounts[32]!;
const app = new URL(stack.appUrl);
const refused = (reason: string, message: string) => ({ error: { code: "unauthenticated", message, details: { reason } } });
const NONCE_INVALID = refused("nonce_invalid", "The sign-in nonce is unknown, expired or already used; sign in again.");

async function signedBody(client: ApiClient, edit: (message: string) => string = (m) => m) {
  const message = edit(signInMessage({ address: account, nonce: await client.nonce() }));
  return { message, signature: await ganacheSign(account, message) };
}

const sessionsOf = (address: string) =>
  withDatabase(async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM sessions WHERE address = $1", [address.toLowerCase()])).rows[0]!.n));

const exact = (answer: ApiAnswer) => [answer.status, answer.body, answer.headers.get("set-cookie")];

describe("SIWE: every refusal answers 401 with a reason code and no cookie", () => {
  const minutes = (n: number) => new Date(Date.now() + n * 60_000);
  const rows: Array<{ name: string; build: (nonce: string) => Promise<{ message: string; signature: string }>; expected: unknown }> = [
    {
      name: "a signature by another key",
      build: async (nonce) => {
        const message = signInMessage({ address: account, nonce });
        return { message, signature: await ganacheSign(otherKey, message) };
      },
      expected: refused("signature_mismatch", "The signature does not match the message's address."),
    },
    {
      name: "another domain",
      build: (nonce) => sign(signInMessage({ address: account, nonce, domain: "evil.example" })),
      expected: refused("domain_mismatch", `The sign-in message is for evil.example, not ${app.host}.`),
    },
    {
      name: "a URI on another origin",
      build: (nonce) => sign(signInMessage({ address: account, nonce, uri: "https://evil.example/login" })),
      expected: refused("uri_mismatch", `The sign-in message's URI is not on ${app.origin}.`),
    },
    {
      name: "another chain id",
      build: (nonce) => sign(signInMessage({ address: account, nonce, chainId: 1 })),
      expected: refused("chain_mismatch", `The sign-in message is for chain 1, not ${stack.chainId}.`),
    },
    {
      name: "an expired message",
      build: (nonce) => sign(signInMessage({ address: account, nonce, issuedAt: minutes(-20), expirationTime: minutes(-1) })),
      expected: refused("expired", "The sign-in message has expired; sign in again."),
    },
    {
      name: "a Not Before in the future",
      build: (nonce) => sign(signInMessage({ address: account, nonce }).replace(/(\nExpiration Time: [^\n]*)/, `$1\nNot Before: ${minutes(5).toISOString()}`)),
      expected: refused("not_yet_valid", "The sign-in message is not valid yet."),
    },
    {
      name: "an Issued At in the future",
      build: (nonce) => sign(signInMessage({ address: account, nonce, issuedAt: minutes(10) })),
      expected: refused("issued_in_future", "The sign-in message was issued in the future."),
    },
    {
      name: "a message valid for longer than a day",
      build: (nonce) => sign(signInMessage({ address: account, nonce, expirationTime: minutes(25 * 60) })),
      expected: refused("lifetime_too_long", "The sign-in message is valid for too long."),
    },
    {
      name: "a message without an expiration time",
      build: (nonce) => sign(signInMessage({ address: account, nonce }).replace(/\nExpiration Time: .*$/, "")),
      expected: refused("no_expiration", "The sign-in message must have an expiration time."),
    },
    {
      name: "a nonce the server never issued",
      build: () => sign(signInMessage({ address: account, nonce: "0123456789abcdef0123456789abcdef" })),
      expected: NONCE_INVALID,
    },
    {
      name: "an oversized nonce field (3,000 characters, under the message limit)",
      build: () => sign(signInMessage({ address: account, nonce: "a".repeat(3000) })),
      expected: NONCE_INVALID,
    },
    {
      name: "an oversized domain field (3,000 characters)",
      build: (nonce) => sign(signInMessage({ address: account, nonce, domain: `${"a".repeat(2990)}.example` })),
      expected: refused("domain_mismatch", `The sign-in message is for ${"a".repeat(2990)}.example, not ${app.host}.`),
    },
  ];

  for (const row of rows) {
    it(`refuses ${row.name}`, async () => {
      const client = new ApiClient();
      const sessionsBefore = await sessionsOf(account);
      const answer = await client.post("/api/auth/verify", { json: await row.build(await client.nonce()) });
      assert.deepEqual(exact(answer), [401, row.expected, null]);
      assert.equal(await sessionsOf(account), sessionsBefore);
    });
  }

  it("answers 422 for a message over 4,096 characters and 413 for a body over 64 KiB, before any signature check", async () => {
    const client = new ApiClient();
    const big = await signedBody(client, (message) => message.replace(/\n\nURI: /, `\n\n${"A".repeat(5000)}\n\nURI: `));
    const answer = await client.post("/api/auth/verify", { json: big });
    assert.deepEqual(exact(answer), [
      422,
      { error: { code: "invalid_input", message: "The request body is invalid.", details: [{ path: "message", message: "Too big: expected string to have <=4096 characters" }] } },
      null,
    ]);
    const huge = await client.post("/api/auth/verify", { json: { message: "x".repeat(70_000), signature: `0x${"11".repeat(65)}` } });
    assert.deepEqual(exact(huge), [413, { error: { code: "payload_too_large", message: "The request body is larger than 65536 bytes." } }, null]);
  });
});

describe("SIWE replay and races", () => {
  it("a signed message that worked once is refused when replayed, from the same or another client", async () => {
    const first = new ApiClient();
    const body = await signedBody(first);
    assert.equal((await first.post("/api/auth/verify", { json: body })).status, 200);
    for (const client of [first, new ApiClient()]) {
      assert.deepEqual(exact(await client.post("/api/auth/verify", { json: body })), [401, NONCE_INVALID, null]);
    }
  });

  it("of two parallel verifications of one nonce exactly one succeeds; of ten, also exactly one", async () => {
    for (const parallel of [2, 10]) {
      const sessionsBefore = await sessionsOf(account);
      const body = await signedBody(new ApiClient());
      const answers = await Promise.all(Array.from({ length: parallel }, () => new ApiClient().post("/api/auth/verify", { json: body })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, ...Array<number>(parallel - 1).fill(401)]);
      for (const answer of answers.filter((a) => a.status === 401)) assert.deepEqual(exact(answer), [401, NONCE_INVALID, null]);
      assert.equal(answers.filter((a) => a.headers.get("set-cookie")).length, 1);
      assert.equal(await sessionsOf(account), sessionsBefore + 1);
    }
  });

  it("a refused message does not burn the nonce for the right one, but a used nonce stays used", async () => {
    const client = new ApiClient();
    const nonce = await client.nonce();
    const wrong = signInMessage({ address: account, nonce, chainId: 1 });
    const refusedAnswer = await client.post("/api/auth/verify", { json: { message: wrong, signature: await ganacheSign(account, wrong) } });
    assert.equal((refusedAnswer.body as { error: { details: { reason: string } } }).error.details.reason, "chain_mismatch");
    const right = signInMessage({ address: account, nonce });
    const signature = await ganacheSign(account, right);
    assert.equal((await client.post("/api/auth/verify", { json: { message: right, signature } })).status, 200);
    assert.deepEqual(exact(await new ApiClient().post("/api/auth/verify", { json: { message: right, signature } })), [401, NONCE_INVALID, null]);
  });
});

describe("SIWE sessions", () => {
  it("identity in headers or the body is ignored: only the session cookie names the caller", async () => {
    const answer = await new ApiClient().get("/api/auth/session", { headers: { "x-address": account, authorization: `Bearer ${account}`, cookie: `address=${account}` } });
    assert.deepEqual([answer.status, answer.body], [401, { error: { code: "unauthenticated", message: "Sign in with your wallet first." } }]);
  });

  it("a session ends on sign-out: the old cookie answers 401", async () => {
    const client = new ApiClient();
    assert.equal((await client.signIn(account)).status, 200);
    const cookie = client.cookie;
    assert.equal((await client.post("/api/auth/logout")).status, 204);
    const stale = new ApiClient();
    stale.cookie = cookie;
    assert.deepEqual([(await stale.get("/api/auth/session")).status], [401]);
  });
});

async function sign(message: string): Promise<{ message: string; signature: string }> {
  return { message, signature: await ganacheSign(account, message) };
}
