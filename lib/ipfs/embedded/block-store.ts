import { FsBlockstore } from "blockstore-fs";
import { base32 } from "multiformats/bases/base32";
import { equals } from "multiformats/bytes";
import type { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { IpfsRepoError } from "../errors";

type PutValue = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Blocks are keyed by multihash (as blockstore-fs and Kubo do), so one key per file on disk. */
export const blockKey = (cid: CID): string => base32.encode(cid.multihash.bytes);

/**
 * blockstore-fs plus what the store relies on: reads verify the hash (a damaged disk gives a clear
 * error, not wrong bytes), and concurrent puts of one block share a single write, because
 * blockstore-fs's writer uses one temp file per block and two writers would race on it.
 */
export class BlockStore {
  private readonly inflight = new Map<string, Promise<CID>>();

  private constructor(private readonly fs: FsBlockstore) {}

  static async open(folder: string): Promise<BlockStore> {
    const fs = new FsBlockstore(folder);
    await fs.open();
    return new BlockStore(fs);
  }

  get folder(): string {
    return this.fs.path;
  }

  put(cid: CID, bytes: PutValue): Promise<CID> {
    const key = blockKey(cid);
    let write = this.inflight.get(key);
    if (!write) {
      write = this.fs.put(cid, bytes).finally(() => this.inflight.delete(key));
      this.inflight.set(key, write);
    }
    return write;
  }

  has(cid: CID): Promise<boolean> {
    return this.fs.has(cid);
  }

  /** The block's bytes, or undefined if it is not stored. */
  async get(cid: CID, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of this.fs.get(cid, { signal })) chunks.push(chunk);
    } catch (error) {
      signal?.throwIfAborted();
      if ((error as Error).name === "NotFoundError") return undefined;
      throw error;
    }
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (!equals((await sha256.digest(bytes)).bytes, cid.multihash.bytes)) {
      throw new IpfsRepoError(
        `Block ${cid} in ${this.folder} is damaged (its bytes do not match its hash). ` +
          "Delete that block file and add the file again, or restore the folder from a backup.",
      );
    }
    return bytes;
  }

  async *cids(): AsyncGenerator<CID> {
    for await (const { cid } of this.fs.getAll()) yield cid;
  }

  delete(cid: CID): Promise<void> {
    return this.fs.delete(cid);
  }

  close(): Promise<void> {
    return this.fs.close();
  }
}
