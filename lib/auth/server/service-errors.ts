import "server-only";
import { ApiError } from "@/lib/api";
import { isChainConnectionError } from "@/lib/chain/server/chain-errors";
import { isDatabaseConnectionError } from "@/lib/db/repositories/query";
import { IpfsError } from "@/lib/ipfs";

/** Backing-service failures as the API's errors: 503 for an unreachable database, IPFS store or chain node. */
export function toApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof IpfsError) {
    if (error.code === "service_unavailable") return new ApiError("service_unavailable", "The IPFS store is not reachable; try again shortly.");
    if (error.code === "not_found") return new ApiError("not_found", "The record's content is not stored.");
    return error;
  }
  if (isDatabaseConnectionError(error)) return new ApiError("service_unavailable", "The database is not reachable; try again shortly.");
  if (isChainConnectionError(error)) return new ApiError("service_unavailable", "The chain node is not reachable; try again shortly.");
  return error;
}
