import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { CID } from "multiformats/cid";
import { cidOfBytes, cidOfChunks } from "@/lib/ipfs/browser-cid";
import { cidChainParts } from "@/lib/ipfs/cid-chain-parts";
import { makeTempDir } from "../support/temp-dir";
import { openIpfsStore } from "@/lib/ipfs";

const CHUNK = 262_144;

for (const size of [0, 1, CHUNK + 1, 3_000_000]) {
  test(`cidOfBytes gives the embedded store's CID for ${size} bytes`, async (t) => {
    const dir = await makeTempDir("browser-cid");
    const store = await openIpfsStore({ repoPath: dir.path });
    t.after(async () => {
      await store.close();
      await dir.remove();
    });
    const bytes = new Uint8Array(randomBytes(size));
    const added = await store.add(bytes);
    assert.equal(await cidOfBytes(bytes), added.cid);
    // Chunked input (any piece sizes) gives the same CID as one array.
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < size; at += 100_003) pieces.push(bytes.subarray(at, at + 100_003));
    assert.equal(await cidOfChunks(pieces), added.cid);
  });
}

test("cidOfBytes matches Kubo's published CIDs (empty file, one chunk boundary)", async () => {
  assert.equal(await cidOfBytes(new Uint8Array(0)), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  assert.equal(await cidOfBytes(new TextEncoder().encode("hello world")), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  assert.equal(await cidOfBytes(new Uint8Array(CHUNK + 1)), "bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki");
});

test("one flipped byte changes the CID", async () => {
  const bytes = new Uint8Array(randomBytes(CHUNK * 2 + 5));
  const before = await cidOfBytes(bytes);
  bytes[CHUNK + 7]! ^= 1;
  assert.notEqual(await cidOfBytes(bytes), before);
});

test("cidChainParts gives the digest and codec addRecord takes", () => {
  const cid = "bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki";
  const parsed = CID.parse(cid);
  const parts = cidChainParts(cid);
  assert.equal(parts.codec, 0x70);
  assert.equal(parts.hashCode, 0x12);
  assert.equal(parts.cidDigest, `0x${Buffer.from(parsed.multihash.digest).toString("hex")}`);
  assert.match(parts.cidDigest, /^0x[0-9a-f]{64}$/);
  assert.equal(cidChainParts("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku").codec, 0x55);
});
