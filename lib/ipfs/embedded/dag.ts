import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { IpfsInvalidCidError, IpfsRepoError } from "../errors";
import { blockKey, type BlockStore } from "./block-store";

/*
 * Walks UnixFS file DAGs as the importer writes them: raw leaves under dag-pb nodes whose Data is a
 * UnixFS "file". Written here rather than with ipfs-unixfs-exporter, which is not installed.
 */

/** Streams a file's bytes depth-first, holding one block per tree level in memory. */
export async function* fileBytes(blocks: BlockStore, cid: CID, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const bytes = await mustGet(blocks, cid, signal);
  if (cid.code === raw.code) {
    if (bytes.byteLength > 0) yield bytes;
    return;
  }
  const node = dagPb.decode(bytes);
  const unixfs = node.Data ? UnixFS.unmarshal(node.Data) : undefined;
  if (unixfs?.type !== "file" && unixfs?.type !== "raw") {
    throw new IpfsInvalidCidError(cid.toString(), `it is a UnixFS ${unixfs?.type ?? "node without data"}, not a file`);
  }
  if (unixfs.data && unixfs.data.byteLength > 0) yield unixfs.data;
  for (const link of node.Links) yield* fileBytes(blocks, link.Hash, signal);
}

/** True if every block of the DAG is stored; reads only dag-pb nodes (leaves are checked by name). */
export async function isComplete(blocks: BlockStore, cid: CID): Promise<boolean> {
  if (cid.code !== dagPb.code) return blocks.has(cid);
  const bytes = await blocks.get(cid);
  if (!bytes) return false;
  for (const link of dagPb.decode(bytes).Links) {
    if (!(await isComplete(blocks, link.Hash))) return false;
  }
  return true;
}

/** Adds the block keys of a DAG to `marked`; shared subtrees are visited once. */
export async function markReachable(blocks: BlockStore, cid: CID, marked: Set<string>): Promise<void> {
  const key = blockKey(cid);
  if (marked.has(key)) return;
  marked.add(key);
  if (cid.code !== dagPb.code) return;
  const bytes = await blocks.get(cid);
  if (!bytes) return; // an incomplete pinned DAG: keep what is there
  for (const link of dagPb.decode(bytes).Links) await markReachable(blocks, link.Hash, marked);
}

async function mustGet(blocks: BlockStore, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  const bytes = await blocks.get(cid, signal);
  if (bytes) return bytes;
  throw new IpfsRepoError(
    `Block ${cid} is missing from ${blocks.folder}, so the file cannot be read completely. ` +
      "Add the file again to restore it, or restore the folder from a backup.",
  );
}
