import { IpfsError, IpfsNotFoundError, IpfsUnavailableError } from "../errors";

/** Kubo's messages for a CID it does not have, or that is not pinned. */
const NOT_FOUND = /not found|could not find|not pinned|no link named/i;

/**
 * Turns a kubo-rpc-client failure into an IpfsError. An answer from Kubo carries `response`;
 * anything else (refused connection, DNS, client timeout) means Kubo is unreachable.
 * The caller's own abort is passed through untouched.
 */
export function toIpfsError(error: unknown, cid: string | undefined, apiUrl: string, signal?: AbortSignal): unknown {
  if (signal?.aborted || error instanceof IpfsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const answered = typeof error === "object" && error !== null && "response" in error;
  if (!answered) return new IpfsUnavailableError(`The Kubo node at ${apiUrl} is unreachable: ${message}`, { cause: error });
  if (cid !== undefined && NOT_FOUND.test(message)) return new IpfsNotFoundError(cid);
  return new IpfsError("internal", `The Kubo node at ${apiUrl} refused the request: ${message}`, { cause: error });
}
