import "server-only";
import type { PutReasonKeys } from "@/lib/access-requests/schemas";
import { replaceReasonKeys } from "@/lib/db/repositories/access-requests";
import { fromBase64 } from "@/lib/records/server/encoding";
import { notYourRequest } from "./view";

/**
 * After a key rotation the caller's browser re-wraps each request reason's data key for the new key: the
 * caller's copy (doctor's or patient's) is replaced. Any id that is not one of the caller's requests is the one
 * 403 of an unknown id, and nothing is replaced.
 */
export async function storeReasonKeys(reader: `0x${string}`, input: PutReasonKeys): Promise<{ replaced: number }> {
  const replaced = await replaceReasonKeys(
    reader,
    input.keys.map((key) => ({ id: key.id.toLowerCase(), reasonKey: fromBase64(key.reasonKey) })),
  );
  if (replaced === undefined) throw notYourRequest();
  return { replaced };
}
