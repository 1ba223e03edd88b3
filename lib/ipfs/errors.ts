/**
 * Errors thrown by lib/ipfs. `code` uses the same words as lib/api's error codes so a route can map
 * them one to one (not_found -> 404, invalid_input -> 422, service_unavailable -> 503).
 */
export class IpfsError extends Error {
  override name = "IpfsError";
  constructor(
    readonly code: "not_found" | "invalid_input" | "service_unavailable" | "internal",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The CID is not stored (or not pinned, for unpin). */
export class IpfsNotFoundError extends IpfsError {
  override name = "IpfsNotFoundError";
  constructor(readonly cid: string, message = `No file with CID ${cid} is stored on IPFS.`) {
    super("not_found", message);
  }
}

/** The string is not the CID of a file this store could have produced. */
export class IpfsInvalidCidError extends IpfsError {
  override name = "IpfsInvalidCidError";
  constructor(readonly cid: string, reason: string) {
    super("invalid_input", `"${cid.slice(0, 100)}" is not a valid file CID: ${reason}.`);
  }
}

/** The backend cannot be reached (Kubo down, repo folder gone or read-only). */
export class IpfsUnavailableError extends IpfsError {
  override name = "IpfsUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("service_unavailable", message, options);
  }
}

/** The embedded repo folder holds something this store did not write; the message says what to do. */
export class IpfsRepoError extends IpfsError {
  override name = "IpfsRepoError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("internal", message, options);
  }
}
