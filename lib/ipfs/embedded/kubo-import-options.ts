import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { ImporterOptions } from "ipfs-unixfs-importer";

/** Kubo's default chunk size (`--chunker=size-262144`). */
const KUBO_CHUNK_SIZE = 262_144;
/** Kubo's balanced layout puts at most 174 links in a node (helpers.DefaultLinksPerBlock). */
const KUBO_MAX_LINKS = 174;

/**
 * Importer settings that give the same CIDs as `ipfs add --cid-version=1` on Kubo with its defaults:
 * CIDv1 implies raw leaves there; sha2-256; fixed 256 KiB chunks; balanced DAG of at most 174 links
 * (some JS defaults and the unixfs-v1-2025 profile use 1024, which changes every CID above
 * 174 x 256 KiB = 45,613,056 bytes); a one-chunk file is the raw leaf itself; links before data
 * (canonical dag-pb). Every value is spelled out so a change of library defaults cannot move a CID.
 */
export const KUBO_IMPORT_OPTIONS: ImporterOptions = {
  cidVersion: 1,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: KUBO_CHUNK_SIZE }),
  layout: balanced({ maxChildrenPerNode: KUBO_MAX_LINKS }),
  fieldOrder: "links-first",
  wrapWithDirectory: false,
};
