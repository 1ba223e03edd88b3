/**
 * The embedded store must give the CIDs Kubo gives for `ipfs add --cid-version=1` (default chunker
 * size-262144, balanced layout, at most 174 links), since CIDs go on chain and a Kubo node may
 * later serve the same records. Vectors come from /tmp/cid-vectors.md, which cites each source.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { importFile } from "ipfs-unixfs-importer";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";
import { KUBO_IMPORT_OPTIONS } from "@/lib/ipfs/embedded/kubo-import-options";
import { goRandomBytes } from "../fixtures/ipfs/go-random";
import { tempStore, zeros } from "../fixtures/ipfs/helpers";

const text = (s: string) => new TextEncoder().encode(s);

// Official: ipfs/kubo test/sharness/t0040-add-and-cat.sh (empty file, Mars, Venus) and
// test/cli/add_test.go ("hello world", added with Import.CidVersion=1).
const OFFICIAL_SMALL = [
  { name: "the empty file", bytes: new Uint8Array(0), cid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku" },
  { name: '"Hello Mars!\\n"', bytes: text("Hello Mars!\n"), cid: "bafkreibmlvvgdyihetgocpof6xk64kjjzdeq2e4c7hqs3krdheosk4tgj4" },
  { name: '"Hello Venus!\\n"', bytes: text("Hello Venus!\n"), cid: "bafkreihfsphazrk2ilejpekyltjeh5k4yvwgjuwg26ueafohqioeo3sdca" },
  { name: '"hello world"', bytes: text("hello world"), cid: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e" },
];

for (const vector of OFFICIAL_SMALL) {
  test(`gives Kubo's CID for ${vector.name}`, async (t) => {
    const { store } = await tempStore(t);
    assert.equal((await store.add(vector.bytes)).cid, vector.cid);
  });
}

// Third party, generated with Kubo v0.42.0 `ipfs add --cid-version=1` (GitHub cousin-greg/laypipe
// node tests); reproduced independently by the vector collector. Zeros around the chunk boundary.
const CHUNK_BOUNDARY = [
  { size: 1, cid: "bafkreidogqfzz75tpkmjzjke425xqcrmpcib2p5tg44hnbirumdbpl5adu" },
  { size: 262_144, cid: "bafkreiekhhjkxu4ztk3tyng3er3ijhg56mb44oe3gwbgquhzu4afrg2ksa" },
  { size: 262_145, cid: "bafybeigllfqgfpqydppr6cmv56g7ax4wyhruzswvcefv6j5kj77nzttfki" },
];

for (const vector of CHUNK_BOUNDARY) {
  test(`gives Kubo's CID for ${vector.size} zero bytes`, async (t) => {
    const { store } = await tempStore(t);
    assert.equal((await store.add(zeros(vector.size))).cid, vector.cid);
  });
}

/** Feeds Kubo's sharness `random <size> <seed>` file to add() while checking its sha1. */
async function addGoRandom(t: Parameters<typeof tempStore>[0], size: number, seed: number) {
  const { store } = await tempStore(t);
  const sha1 = createHash("sha1");
  async function* source() {
    for await (const chunk of goRandomBytes(size, seed)) {
      sha1.update(chunk);
      yield chunk;
    }
  }
  const { cid } = await store.add(source());
  return { cid, sha1: sha1.digest("hex") };
}

// Official: t0040-add-and-cat.sh test_add_cat_5MB with --cid-version=1: 20 raw leaves under one node.
// The sha1 is the file hash Kubo's test asserts, so a wrong generator cannot pass for a wrong store.
test("gives Kubo's CID for its 5 MiB sharness file (one level of 20 chunks)", async (t) => {
  const { cid, sha1 } = await addGoRandom(t, 5_242_880, 41);
  assert.equal(sha1, "5620fb92eb5a49c9986b5c6844efda37e471660e");
  assert.equal(cid, "bafybeigfnx3tka2rf5ovv2slb7ymrt4zbwa3ryeqibe6fipyt5vgsrli3u");
});

// Official: t0040-add-and-cat.sh test_add_cat_expensive with --cid-version=1. 400 chunks, so the
// root has 3 children of 174 + 174 + 52 leaves; with 1024 links it would be one flat node.
test("gives Kubo's CID for its 100 MiB sharness file (two levels, 174 links a node)", async (t) => {
  const { cid, sha1 } = await addGoRandom(t, 104_857_600, 42);
  assert.equal(sha1, "885b197b01e0f7ff584458dc236cb9477d2e736d");
  assert.equal(cid, "bafybeidkj5ecbhrqmzrcee2rw7qwsx24z3364qya3fnp2ktkg2tnsrewhi");
});

// Third party: ulagbulag/ipi tests/hash.rs hash_dag_level_2_entry (commit 8bb0fe8), reproduced by
// the vector collector: one byte past 174 chunks, the smallest file whose CID depends on the layout.
test("gives the known CID one byte past 174 chunks, unlike a 1024-link layout", async (t) => {
  const size = 174 * 262_144 + 1;
  const { store } = await tempStore(t);
  assert.equal((await store.add(zeros(size))).cid, "bafybeihqwzd3o6q6v3pmwhzjy22vokhr767burokmqemg63hptx2nqd7ym");
  const nowhere = { put: async (cid: CID) => cid };
  const wide = await importFile({ content: zeros(size) }, nowhere, { ...KUBO_IMPORT_OPTIONS, layout: balanced({ maxChildrenPerNode: 1024 }) });
  assert.notEqual(wide.cid.toString(), "bafybeihqwzd3o6q6v3pmwhzjy22vokhr767burokmqemg63hptx2nqd7ym");
});
