import "server-only";
import { deleteUnconfirmedUpload, findExpiredUploadIds, isCidInUse } from "@/lib/db/repositories/uploads";
import { IpfsNotFoundError } from "@/lib/ipfs";
import { getIpfsStore } from "@/lib/ipfs/server-store";
import { RECEIVED_TTL_MS } from "./limits";

const THROTTLE_MS = 60 * 1000;
const BATCH = 100;
let lastRun = 0;

async function unpin(cid: string): Promise<void> {
  try {
    await (await getIpfsStore()).unpin(cid);
  } catch (error) {
    if (!(error instanceof IpfsNotFoundError)) throw error;
  }
}

/** Unpins content no row refers to (a content PUT whose upload is gone) unless an upload or record holds the CID. */
export async function unpinIfUnused(cid: string): Promise<void> {
  if (await isCidInUse(cid)) return;
  await unpin(cid);
}

/**
 * Deletes one unconfirmed upload and unpins its content (unless another upload or a record holds the same
 * CID). The unpin runs inside the row's DELETE transaction, before COMMIT: if it fails, the row stays and a
 * later cancel or clean-up retries, so no pin is ever left behind without a row that leads to it. (A COMMIT
 * failing after a successful unpin leaves a row without content; the next clean-up drops that row, and
 * unpinning a CID that is not pinned is fine.)
 */
export function dropUpload(id: string, options: { expiredOnly?: boolean } = {}): Promise<boolean> {
  return deleteUnconfirmedUpload(id, { expiredOnly: options.expiredOnly ? { receivedGraceMs: RECEIVED_TTL_MS } : undefined }, async ({ cid, cidInUse }) => {
    if (cid && !cidInUse) await unpin(cid);
  });
}

/**
 * Deletes expired, unconfirmed uploads (their pending keys go with them) and unpins their content. A
 * received upload is dropped only RECEIVED_TTL_MS (24 h) after its content arrived, whatever its expires_at:
 * its record may already be on chain while the browser's confirm is slow or retried, and dropping it would
 * leave that record without content or keys. One upload whose unpin fails stays for the next run.
 */
export async function cleanupExpiredUploads(): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await findExpiredUploadIds(BATCH, RECEIVED_TTL_MS);
    let removedNow = 0;
    for (const id of ids) {
      try {
        if (await dropUpload(id, { expiredOnly: true })) removedNow++;
      } catch (error) {
        console.error(`Clean-up of expired upload ${id} failed; it is retried later:`, error instanceof Error ? error.message : error);
      }
    }
    removed += removedNow;
    // Stop at the last batch, or when a whole batch failed (no progress: wait for the next run).
    if (ids.length < BATCH || removedNow === 0) return removed;
  }
}

/** Runs the clean-up in the background at most once a minute per process (first call: at once). */
export function scheduleCleanup(): void {
  if (Date.now() - lastRun < THROTTLE_MS) return;
  lastRun = Date.now();
  cleanupExpiredUploads().catch((error: unknown) => {
    console.error("Clean-up of expired uploads failed:", error instanceof Error ? error.message : error);
  });
}
