import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { IpfsInvalidCidError } from "./errors";

/**
 * Parses a CID the app got from `add`: a raw leaf or dag-pb node hashed with sha2-256.
 * Anything else cannot name a file this store wrote, so it is rejected before touching storage.
 */
export function parseFileCid(text: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text.trim());
  } catch {
    throw new IpfsInvalidCidError(text, "it does not parse as a CID");
  }
  if (cid.code !== raw.code && cid.code !== dagPb.code) throw new IpfsInvalidCidError(text, "its codec is not raw or dag-pb");
  if (cid.multihash.code !== sha256.code) throw new IpfsInvalidCidError(text, "its hash is not sha2-256");
  return cid.toV1();
}
