// Typed calls of the sharing routes, through the one browser API client.
import {
  accessLogResponseSchema,
  doctorsResponseSchema,
  MAX_PRUNE_RECORDS,
  MAX_SHARE_KEYS,
  pruneSharesResponseSchema,
  putShareKeysResponseSchema,
  sharesResponseSchema,
  type PutShareKeysRequest,
} from "@/lib/api/schemas";
import { requestJson as json, sendJson } from "@/lib/api/client/http";

/** The doctors registry, searched by name, specialty or address (case-insensitive). */
export function getDoctors(query: { q?: string; offset?: number; limit?: number } = {}) {
  const params = new URLSearchParams();
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.offset) params.set("offset", String(query.offset));
  if (query.limit) params.set("limit", String(query.limit));
  const search = params.toString();
  return json(doctorsResponseSchema, `/api/doctors${search ? `?${search}` : ""}`, { cache: "no-store" });
}

/** Stores data keys wrapped for `doctor`, MAX_SHARE_KEYS per request; calls `onStored` after each batch. */
export async function putShareKeys(doctor: string, keys: PutShareKeysRequest["keys"], onStored?: (stored: number) => void): Promise<number> {
  let stored = 0;
  for (let start = 0; start < keys.length; start += MAX_SHARE_KEYS) {
    const batch = keys.slice(start, start + MAX_SHARE_KEYS);
    await json(putShareKeysResponseSchema, "/api/shares/keys", sendJson("PUT", { doctor, keys: batch }));
    stored += batch.length;
    onStored?.(stored);
  }
  return stored;
}

/**
 * Asks the server to delete `doctor`'s wrapped keys on those records (all the caller's when omitted) that the
 * chain no longer lets the doctor read. Returns how many were deleted.
 */
export async function pruneShares(doctor: string, recordIds?: readonly string[]): Promise<number> {
  if (!recordIds) return (await json(pruneSharesResponseSchema, "/api/shares/prune", sendJson("POST", { doctor }))).deleted;
  let deleted = 0;
  for (let start = 0; start < recordIds.length; start += MAX_PRUNE_RECORDS) {
    const batch = recordIds.slice(start, start + MAX_PRUNE_RECORDS);
    deleted += (await json(pruneSharesResponseSchema, "/api/shares/prune", sendJson("POST", { doctor, recordIds: batch }))).deleted;
  }
  return deleted;
}

/** Every doctor who ever got a grant from the signed-in patient, with the current state of their grants. */
export const getShares = () => json(sharesResponseSchema, "/api/shares", { cache: "no-store" });

/** The signed-in patient's access log, grant history and key-store audit, newest first. */
export const getAccessLog = () => json(accessLogResponseSchema, "/api/access-log", { cache: "no-store" });
