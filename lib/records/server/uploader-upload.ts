import "server-only";
import { ApiError } from "@/lib/api";
import { findUpload, type UploadRow } from "@/lib/db/repositories/uploads";

/** The upload, if it exists and the caller made it (403 for someone else's, 404 when gone or expired). */
export async function uploaderUpload(caller: string, id: string): Promise<UploadRow> {
  const upload = await findUpload(id);
  if (!upload) throw new ApiError("not_found", "No such upload (it may have expired).");
  if (upload.uploader !== caller) throw new ApiError("forbidden", "Only the uploader may act on this upload.");
  return upload;
}
