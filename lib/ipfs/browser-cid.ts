// Isomorphic (browser and Node): no node: imports, no store. Computes the CID `lib/ipfs` (embedded or Kubo)
// gives a file, so a reader can check downloaded bytes against the CID recorded on chain.
import { importFile, type WritableStorage } from "ipfs-unixfs-importer";
import { CID } from "multiformats/cid";
import { KUBO_IMPORT_OPTIONS } from "./embedded/kubo-import-options";

/** A blockstore that only hashes: the importer names each block by its CID; the bytes are dropped. */
const discardingBlockstore: WritableStorage = {
  put: (key: CID) => key,
};

/**
 * The CIDv1 of a file made of these chunks, with Kubo's `ipfs add --cid-version=1` settings (raw leaves,
 * 256 KiB chunks, balanced layout of 174 links, a one-chunk file reduced to its raw leaf): the same
 * importer options as the embedded store, so both always agree.
 */
export async function cidOfChunks(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<string> {
  const { cid } = await importFile({ content: chunks }, discardingBlockstore, KUBO_IMPORT_OPTIONS);
  return cid.toString();
}

/** The CIDv1 string `lib/ipfs` gives these bytes (see cidOfChunks). */
export function cidOfBytes(bytes: Uint8Array): Promise<string> {
  return cidOfChunks([bytes]);
}
