import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  IpfsInvalidCidError,
  IpfsNotFoundError,
  IpfsRepoError,
  IpfsUnavailableError,
  openIpfsStore,
} from "@/lib/ipfs";
import { countBlocks, pieces, readAll, tempDir, tempStore } from "../fixtures/ipfs/helpers";

const CHUNK = 262_144;
// A valid CIDv1 (raw, sha2-256) that no test adds.
const UNKNOWN_CID = "bafkreiaxnnnb7qz2focittuqq3ya25q7rcv3bqynnczfzao3si5clzh2ny";

for (const size of [0, 1, CHUNK, CHUNK + 1, 3_000_000]) {
  test(`returns the same ${size} bytes from cat as were added`, async (t) => {
    const { store } = await tempStore(t);
    const bytes = randomBytes(size);
    const added = await store.add(bytes);
    assert.equal(added.size, size);
    assert.deepEqual(await readAll(store.cat(added.cid)), bytes);
  });
}

test("gives a streamed upload the same CID and size as the same bytes in one array", async (t) => {
  const { store } = await tempStore(t);
  const bytes = randomBytes(3_000_000);
  const whole = await store.add(bytes);
  const streamed = await store.add(pieces(bytes, 100_003));
  assert.deepEqual(streamed, whole);
});

test("reports a pinned file as present, and an unknown or unpinned one as absent", async (t) => {
  const { store } = await tempStore(t);
  const { cid } = await store.add(randomBytes(CHUNK * 2));
  assert.equal(await store.has(cid), true);
  assert.equal(await store.has(UNKNOWN_CID), false);
  await store.unpin(cid);
  assert.equal(await store.has(cid), false);
});

test("reports a pinned file whose block went missing as absent", async (t) => {
  const { store, repoPath } = await tempStore(t);
  const { cid } = await store.add(randomBytes(CHUNK * 2));
  const blocks = await fs.readdir(path.join(repoPath, "blocks"), { recursive: true });
  const leaf = blocks.find((name) => name.endsWith(".data"));
  await fs.rm(path.join(repoPath, "blocks", leaf!));
  assert.equal(await store.has(cid), false);
});

test("keeps a block two files share when one of them is unpinned", async (t) => {
  const { store, repoPath } = await tempStore(t);
  const firstChunk = randomBytes(CHUNK);
  const a = Buffer.concat([firstChunk, randomBytes(1000)]);
  const b = Buffer.concat([firstChunk, randomBytes(2000)]);
  const added = { a: await store.add(a), b: await store.add(b) };
  assert.equal(await countBlocks(repoPath), 5); // shared chunk + 2 tails + 2 roots

  await store.unpin(added.a.cid);

  assert.equal(await countBlocks(repoPath), 3);
  assert.deepEqual(await readAll(store.cat(added.b.cid)), b);
  assert.equal(await store.has(added.b.cid), true);
  await assert.rejects(readAll(store.cat(added.a.cid)), IpfsNotFoundError);
});

test("removes every block once the last file is unpinned", async (t) => {
  const { store, repoPath } = await tempStore(t);
  const { cid } = await store.add(randomBytes(CHUNK * 3));
  await store.unpin(cid);
  assert.equal(await countBlocks(repoPath), 0);
});

test("rejects unpinning a CID that is not pinned", async (t) => {
  const { store } = await tempStore(t);
  const { cid } = await store.add(randomBytes(10));
  await store.unpin(cid);
  await assert.rejects(store.unpin(cid), IpfsNotFoundError);
  await assert.rejects(store.unpin(UNKNOWN_CID), IpfsNotFoundError);
});

test("throws IpfsNotFoundError when reading an unknown CID", async (t) => {
  const { store } = await tempStore(t);
  await assert.rejects(readAll(store.cat(UNKNOWN_CID)), IpfsNotFoundError);
});

test("rejects strings that cannot be a file CID", async (t) => {
  const { store } = await tempStore(t);
  for (const bad of ["", "not-a-cid", "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" /* dag-cbor */]) {
    await assert.rejects(readAll(store.cat(bad)), IpfsInvalidCidError);
    await assert.rejects(store.has(bad), IpfsInvalidCidError);
  }
});

test("keeps its pins when reopened from the same folder", async (t) => {
  const repoPath = await tempDir(t);
  const bytes = randomBytes(CHUNK + 5);
  const first = await openIpfsStore({ repoPath });
  const { cid } = await first.add(bytes);
  await first.close();

  const again = await openIpfsStore({ repoPath });
  t.after(() => again.close());
  assert.equal(await again.has(cid), true);
  assert.deepEqual(await readAll(again.cat(cid)), bytes);
});

test("stores the same content added concurrently once, intact", async (t) => {
  const { store } = await tempStore(t);
  const bytes = randomBytes(CHUNK * 4 + 7);
  const results = await Promise.all(Array.from({ length: 5 }, () => store.add(pieces(bytes, 65_536))));
  assert.equal(new Set(results.map((r) => r.cid)).size, 1);
  assert.deepEqual(await readAll(store.cat(results[0]!.cid)), bytes);
});

test("does not collect the blocks of an add still in progress", async (t) => {
  const { store } = await tempStore(t);
  const old = await store.add(randomBytes(100));
  const bytes = randomBytes(CHUNK * 12);
  let unpinning: Promise<void> | undefined;
  async function* upload() {
    for await (const piece of pieces(bytes, CHUNK)) {
      yield piece;
      // The importer writes blocks in batches of 10: once the 11th chunk is read, 10 blocks are
      // on disk and none is pinned. An unpin now must wait instead of sweeping them away.
      if (!unpinning && piece.byteOffset === CHUNK * 10) {
        unpinning = store.unpin(old.cid);
        await sleep(50);
      }
    }
  }
  const { cid } = await store.add(upload());
  await unpinning;
  assert.equal(await store.has(cid), true);
  assert.deepEqual(await readAll(store.cat(cid)), bytes);
});

test("stops an add when its signal aborts, pinning nothing", async (t) => {
  const { store, repoPath } = await tempStore(t);
  const controller = new AbortController();
  async function* upload() {
    yield randomBytes(CHUNK);
    controller.abort();
    yield randomBytes(CHUNK);
  }
  await assert.rejects(store.add(upload(), { signal: controller.signal }), { name: "AbortError" });
  assert.deepEqual(await fs.readdir(path.join(repoPath, "pins")), []);
});

test("names the folder and the fix when the pin folder holds something else", async (t) => {
  const repoPath = await tempDir(t);
  await fs.mkdir(path.join(repoPath, "pins"));
  await fs.writeFile(path.join(repoPath, "pins", "notes.txt"), "hello");
  await assert.rejects(openIpfsStore({ repoPath }), (error: Error) => {
    assert.ok(error instanceof IpfsRepoError);
    assert.match(error.message, new RegExp(`${repoPath}.*corrupt.*notes\\.txt`));
    assert.match(error.message, /move the whole folder aside/);
    return true;
  });
});

test("names the folder when the pin folder cannot be read", async (t) => {
  const repoPath = await tempDir(t);
  await fs.writeFile(path.join(repoPath, "pins"), "a file where a folder should be");
  await assert.rejects(openIpfsStore({ repoPath }), (error: Error) => {
    assert.ok(error instanceof IpfsRepoError);
    assert.match(error.message, new RegExp(`${repoPath}.*cannot be used`));
    return true;
  });
});

test("reports a damaged block instead of returning wrong bytes", async (t) => {
  const { store, repoPath } = await tempStore(t);
  const { cid } = await store.add(randomBytes(100));
  const [file] = (await fs.readdir(path.join(repoPath, "blocks"), { recursive: true })).filter((n) => n.endsWith(".data"));
  await fs.writeFile(path.join(repoPath, "blocks", file!), randomBytes(100));
  await assert.rejects(readAll(store.cat(cid)), /damaged/);
});

test("answers ping while its folder is usable, and fails once it is gone or closed", async (t) => {
  const { store, repoPath } = await tempStore(t);
  await store.ping();
  await fs.rm(repoPath, { recursive: true });
  await assert.rejects(store.ping(), IpfsUnavailableError);
  await store.close();
  await assert.rejects(store.add(new Uint8Array(1)), IpfsUnavailableError);
});
