import "server-only";
import { ApiError } from "@/lib/api";
import { dropUpload } from "./cleanup-expired-uploads";
import { uploaderUpload } from "./uploader-upload";

/**
 * Drops an unconfirmed upload: its pending keys, and its content unless something else holds that CID. The
 * content is unpinned before the row's deletion commits (dropUpload), so a failed unpin fails the cancel
 * (503) and leaves the upload as it was, to be cancelled again or cleaned up later.
 */
export async function cancelUpload(caller: `0x${string}`, uploadId: string): Promise<void> {
  const upload = await uploaderUpload(caller, uploadId);
  if (upload.status === "confirmed") throw new ApiError("conflict", "This upload is a confirmed record; records are permanent.");
  await dropUpload(upload.id);
}
