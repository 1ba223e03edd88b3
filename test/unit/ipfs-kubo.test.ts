/**
 * The Kubo backend against a real node: set IPFS_API_URL (e.g. http://127.0.0.1:5001) to run
 * the tests marked `skip`. Only the unreachable-node test runs without one.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { IpfsNotFoundError, IpfsUnavailableError, openIpfsStore, type IpfsStore } from "@/lib/ipfs";
import { goRandomBytes } from "../fixtures/ipfs/go-random";
import { readAll, tempStore, zeros } from "../fixtures/ipfs/helpers";

const apiUrl = process.env.IPFS_API_URL;
const skip = !apiUrl && "set IPFS_API_URL to a Kubo RPC API to run";

async function kubo(t: Parameters<typeof tempStore>[0]): Promise<IpfsStore> {
  const store = await openIpfsStore({ apiUrl, repoPath: "unused" });
  t.after(() => store.close());
  return store;
}

test("adds, reads, reports and unpins a file on Kubo", { skip }, async (t) => {
  const store = await kubo(t);
  assert.equal(store.kind, "kubo");
  await store.ping();
  const bytes = randomBytes(600_000);
  const { cid, size } = await store.add(bytes);
  assert.equal(size, bytes.length);
  assert.deepEqual(await readAll(store.cat(cid)), bytes);
  assert.equal(await store.has(cid), true);
  await store.unpin(cid);
  assert.equal(await store.has(cid), false);
  await assert.rejects(store.unpin(cid), IpfsNotFoundError);
});

test("throws IpfsNotFoundError for a CID Kubo does not have", { skip }, async (t) => {
  const store = await kubo(t);
  const unknown = "bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzao3si5clzh2ny";
  await assert.rejects(readAll(store.cat(unknown)), IpfsNotFoundError);
  assert.equal(await store.has(unknown), false);
});

const SAME_CID_CASES: Array<{ name: string; content: () => Uint8Array | AsyncIterable<Uint8Array> }> = [
  { name: "the empty file", content: () => new Uint8Array(0) },
  { name: "one chunk plus one byte", content: () => randomBytesOnce(262_145) },
  { name: "Kubo's 5 MiB sharness file", content: () => goRandomBytes(5_242_880, 41) },
  { name: "one byte past 174 chunks", content: () => zeros(174 * 262_144 + 1) },
];

// Random bytes must be the same for both stores, so each case draws them once.
const drawn = new Map<number, Uint8Array>();
function randomBytesOnce(size: number): Uint8Array {
  if (!drawn.has(size)) drawn.set(size, randomBytes(size));
  return drawn.get(size)!;
}

for (const { name, content } of SAME_CID_CASES) {
  test(`gives the embedded store's CID for ${name}`, { skip }, async (t) => {
    const store = await kubo(t);
    const { store: embedded } = await tempStore(t);
    const fromKubo = await store.add(content());
    t.after(() => store.unpin(fromKubo.cid));
    assert.deepEqual(fromKubo, await embedded.add(content()));
  });
}

test("reports an unreachable Kubo node as unavailable", async (t) => {
  const store = await openIpfsStore({ apiUrl: "http://127.0.0.1:9", repoPath: "unused" });
  t.after(() => store.close());
  await assert.rejects(store.ping(), IpfsUnavailableError);
  await assert.rejects(store.add(new Uint8Array(1)), IpfsUnavailableError);
  await assert.rejects(readAll(store.cat("bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzao3si5clzh2ny")), IpfsUnavailableError);
});
