import "server-only";
import { ApiError } from "@/lib/api";

/**
 * web3 reports an unreachable node as a ConnectionError / fetch failure (often nested in `cause` or
 * `innerError`); a contract revert is not one of those. Only connection failures become a 503.
 */
export function isChainConnectionError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { name, code, message, cause, innerError } = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; innerError?: unknown };
    if (name === "ConnectionError" || name === "ConnectionRefusedError" || name === "ConnectionTimeoutError") return true;
    if (typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|UND_ERR_.*)$/.test(code)) return true;
    if (typeof message === "string" && /fetch failed|ECONNREFUSED|socket hang up|connection (refused|error)/i.test(message)) return true;
    current = innerError ?? cause;
  }
  return false;
}

export const chainUnavailable = () => new ApiError("service_unavailable", "The chain node is not reachable; try again shortly.");

/** Runs one chain read; an unreachable node becomes a 503, anything else is rethrown. */
export async function chainRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (isChainConnectionError(error)) throw chainUnavailable();
    throw error;
  }
}
