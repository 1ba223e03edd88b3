import fs from "node:fs/promises";
import path from "node:path";
import { importFile } from "ipfs-unixfs-importer";
import { IpfsNotFoundError, IpfsRepoError, IpfsUnavailableError } from "../errors";
import { parseFileCid } from "../file-cid";
import type { AddResult, IpfsStore } from "../ipfs-store";
import { meteredSource } from "../metered-source";
import { BlockStore, blockKey } from "./block-store";
import { fileBytes, isComplete, markReachable } from "./dag";
import { KUBO_IMPORT_OPTIONS } from "./kubo-import-options";
import { PinSet } from "./pin-set";
import { RwLock } from "./rw-lock";

/** One lock per repo folder, shared by every store this process opens on it. */
const locks = new Map<string, RwLock>();

/**
 * IPFS without a daemon: blocks in `repoPath/blocks` (blockstore-fs, Kubo's flatfs layout), pins in
 * `repoPath/pins`. Meant for one process per folder (local runs, tests); production uses Kubo.
 * Blocks are not fsynced, so a power cut can lose the last files added.
 */
export class EmbeddedIpfsStore implements IpfsStore {
  readonly kind = "embedded";
  private closed = false;

  private constructor(
    private readonly repoPath: string,
    private readonly blocks: BlockStore,
    private readonly pins: PinSet,
    private readonly lock: RwLock,
  ) {}

  static async open(repoPath: string): Promise<EmbeddedIpfsStore> {
    const root = path.resolve(repoPath);
    const pins = await PinSet.open(path.join(root, "pins"), root);
    let blocks: BlockStore;
    try {
      blocks = await BlockStore.open(path.join(root, "blocks"));
    } catch (error) {
      throw new IpfsRepoError(
        `The IPFS repo folder ${root} cannot be used: ${(error as Error).message}. ` +
          `Make sure ${path.join(root, "blocks")} is a folder this process can read and write.`,
        { cause: error },
      );
    }
    let lock = locks.get(root);
    if (!lock) locks.set(root, (lock = new RwLock()));
    return new EmbeddedIpfsStore(root, blocks, pins, lock);
  }

  async add(content: Uint8Array | AsyncIterable<Uint8Array>, opts?: { signal?: AbortSignal }): Promise<AddResult> {
    this.assertOpen();
    return this.lock.shared(async () => {
      const input = meteredSource(content, opts?.signal);
      // Blocks of an aborted add stay unpinned until the next unpin sweeps them.
      const { cid } = await importFile({ content: input.source }, this.blocks, KUBO_IMPORT_OPTIONS);
      await this.pins.add(cid);
      return { cid: cid.toString(), size: input.bytes() };
    });
  }

  async *cat(cid: string, opts?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    this.assertOpen();
    const root = parseFileCid(cid);
    if (!(await this.blocks.has(root))) throw new IpfsNotFoundError(cid);
    yield* fileBytes(this.blocks, root, opts?.signal);
  }

  /**
   * Removes the pin, then mark-and-sweep: marks every block reachable from the remaining pins and
   * deletes all other blocks (including leftovers of aborted adds). Cost: one directory listing of
   * all blocks plus one read per dag-pb node of every remaining pin (raw leaves are not read, so
   * about 1 read per 174 chunks); adds wait while it runs.
   */
  async unpin(cid: string): Promise<void> {
    this.assertOpen();
    const root = parseFileCid(cid);
    return this.lock.exclusive(async () => {
      if (!(await this.pins.remove(root))) throw new IpfsNotFoundError(cid, `CID ${cid} is not pinned.`);
      const marked = new Set<string>();
      for (const pinned of await this.pins.list()) await markReachable(this.blocks, pinned, marked);
      for await (const block of this.blocks.cids()) {
        if (!marked.has(blockKey(block))) await this.blocks.delete(block);
      }
    });
  }

  async has(cid: string): Promise<boolean> {
    this.assertOpen();
    const root = parseFileCid(cid);
    return (await this.pins.has(root)) && (await isComplete(this.blocks, root));
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await fs.access(this.blocks.folder, fs.constants.R_OK | fs.constants.W_OK);
      await fs.access(this.pins.folder, fs.constants.R_OK | fs.constants.W_OK);
    } catch (error) {
      throw new IpfsUnavailableError(`The IPFS repo folder ${this.repoPath} is not readable and writable.`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.blocks.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new IpfsUnavailableError("The IPFS store has been closed.");
  }
}
