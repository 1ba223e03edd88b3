import "server-only";
import { ApiError } from "@/lib/api";
import { deleteUnconfirmedUpload } from "@/lib/db/repositories/uploads";
import { unpinIfUnused } from "./cleanup-expired-uploads";
import { uploaderUpload } from "./uploader-upload";

/** Drops an unconfirmed upload: its pending keys, and its content unless something else holds that CID. */
export async function cancelUpload(caller: `0x${string}`, uploadId: string): Promise<void> {
  const upload = await uploaderUpload(caller, uploadId);
  if (upload.status === "confirmed") throw new ApiError("conflict", "This upload is a confirmed record; records are permanent.");
  const { cid } = await deleteUnconfirmedUpload(upload.id);
  if (cid) await unpinIfUnused(cid);
}
