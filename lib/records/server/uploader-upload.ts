import "server-only";
import { ApiError } from "@/lib/api";
import { findUpload, type UploadRow } from "@/lib/db/repositories/uploads";

/**
 * The upload, if it exists and the caller made it. Someone else's upload answers 403, exactly like an unknown
 * or expired one, so an upload id tells a stranger nothing.
 */
export async function uploaderUpload(caller: string, id: string): Promise<UploadRow> {
  const upload = await findUpload(id);
  if (!upload || upload.uploader !== caller) throw new ApiError("forbidden", "No such upload of yours (it may have expired).");
  return upload;
}
