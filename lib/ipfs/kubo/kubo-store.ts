import { create, type KuboRPCClient } from "kubo-rpc-client";
import { IpfsNotFoundError, IpfsUnavailableError } from "../errors";
import { parseFileCid } from "../file-cid";
import type { AddResult, IpfsStore } from "../ipfs-store";
import { meteredSource } from "../metered-source";
import { toIpfsError } from "./kubo-errors";

const PING_TIMEOUT_MS = 3_000;

/**
 * `offline` is a global Kubo RPC flag: answer from the local repo instead of searching the network,
 * so an unknown CID fails at once rather than hanging. Replicas are expected to pin every CID
 * (IPFS Cluster), so the local node always has the blocks. The client's option types omit it.
 */
const OFFLINE = { offline: true } as const;

/**
 * Thin adapter over a Kubo node's RPC API. The node must keep Kubo's default import settings
 * (Import.UnixFSFileMaxLinks 174, no trickle) for CIDs to equal the embedded store's; the
 * per-request flags below pin down the rest. Unpinned blocks are removed by Kubo's own GC
 * (`ipfs daemon --enable-gc` or `ipfs repo gc`), not here.
 */
export class KuboIpfsStore implements IpfsStore {
  readonly kind = "kubo";

  private constructor(
    private readonly client: KuboRPCClient,
    private readonly apiUrl: string,
  ) {}

  static connect(apiUrl: string): KuboIpfsStore {
    return new KuboIpfsStore(create({ url: apiUrl }), apiUrl);
  }

  async add(content: Uint8Array | AsyncIterable<Uint8Array>, opts?: { signal?: AbortSignal }): Promise<AddResult> {
    const input = meteredSource(content, opts?.signal);
    try {
      const { cid } = await this.client.add(input.source, {
        cidVersion: 1,
        rawLeaves: true,
        chunker: "size-262144",
        hashAlg: "sha2-256",
        trickle: false,
        wrapWithDirectory: false,
        pin: true,
        signal: opts?.signal,
      });
      return { cid: cid.toString(), size: input.bytes() };
    } catch (error) {
      throw toIpfsError(error, undefined, this.apiUrl, opts?.signal);
    }
  }

  async *cat(cid: string, opts?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    const root = parseFileCid(cid);
    const options = { ...OFFLINE, signal: opts?.signal };
    try {
      yield* this.client.cat(root.toString(), options);
    } catch (error) {
      throw toIpfsError(error, cid, this.apiUrl, opts?.signal);
    }
  }

  async unpin(cid: string): Promise<void> {
    const root = parseFileCid(cid);
    try {
      await this.client.pin.rm(root.toString(), { recursive: true });
    } catch (error) {
      throw toIpfsError(error, cid, this.apiUrl);
    }
  }

  /** A recursive pin means Kubo holds every block of the DAG. */
  async has(cid: string): Promise<boolean> {
    const root = parseFileCid(cid);
    const options = { ...OFFLINE, paths: root.toString(), type: "recursive" as const };
    try {
      for await (const pin of this.client.pin.ls(options)) {
        if (pin.cid.toV1().toString() === root.toString()) return true;
      }
      return false;
    } catch (error) {
      const mapped = toIpfsError(error, cid, this.apiUrl);
      if (mapped instanceof IpfsNotFoundError) return false;
      throw mapped;
    }
  }

  async ping(): Promise<void> {
    try {
      await this.client.version({ signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new IpfsUnavailableError(`The Kubo node at ${this.apiUrl} did not answer: ${message}`, { cause: error });
    }
  }

  /** The client holds no connection state worth closing (it uses fetch). */
  async close(): Promise<void> {}
}
