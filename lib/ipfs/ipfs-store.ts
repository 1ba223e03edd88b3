/** What the app needs from IPFS; both the embedded store and Kubo implement it. */
export interface IpfsStore {
  readonly kind: "embedded" | "kubo";
  /**
   * Adds and pins bytes or a stream of chunks; returns the CIDv1 string (the same CID as
   * `ipfs add --cid-version=1` on Kubo with the default chunker) and the content's length in bytes.
   */
  add(content: Uint8Array | AsyncIterable<Uint8Array>, opts?: { signal?: AbortSignal }): Promise<AddResult>;
  /** Streams the file's bytes; the first read throws IpfsNotFoundError for an unknown CID. */
  cat(cid: string, opts?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>;
  /** Removes the pin (and, embedded, the blocks no other pin needs); IpfsNotFoundError if not pinned. */
  unpin(cid: string): Promise<void>;
  /** True if the CID is pinned and all its blocks are present locally. */
  has(cid: string): Promise<boolean>;
  /** Throws IpfsUnavailableError if the backend is unreachable (used by /api/health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface AddResult {
  cid: string;
  /** Length of the added content in bytes (not the DAG size Kubo reports). */
  size: number;
}

export interface OpenIpfsStoreOptions {
  /** Kubo RPC API URL (e.g. http://127.0.0.1:5001); when set, the Kubo backend is used. */
  apiUrl?: string;
  /** Folder of the embedded store; ignored when apiUrl is set. */
  repoPath: string;
}
