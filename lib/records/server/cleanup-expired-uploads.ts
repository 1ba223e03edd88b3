import "server-only";
import { deleteExpiredUploads, isCidInUse } from "@/lib/db/repositories/uploads";
import { IpfsNotFoundError } from "@/lib/ipfs";
import { getIpfsStore } from "@/lib/ipfs/server-store";

const THROTTLE_MS = 60 * 1000;
let lastRun = 0;

/** Unpins the content of a dropped upload unless another upload or a record still holds the same CID. */
export async function unpinIfUnused(cid: string): Promise<void> {
  if (await isCidInUse(cid)) return;
  try {
    await (await getIpfsStore()).unpin(cid);
  } catch (error) {
    if (!(error instanceof IpfsNotFoundError)) throw error;
  }
}

/** Deletes expired, unconfirmed uploads (their pending keys go with them) and unpins their content. */
export async function cleanupExpiredUploads(): Promise<number> {
  let removed = 0;
  for (;;) {
    const cids = await deleteExpiredUploads(100);
    for (const cid of cids) await unpinIfUnused(cid);
    removed += cids.length;
    if (cids.length < 100) return removed;
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
