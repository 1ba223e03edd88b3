import { json } from "@/lib/api";
import { confirmUploadRequestSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { confirmUpload } from "@/lib/records/server/confirm-upload";
import { uploadIdParam } from "@/lib/records/server/encoding";

export const dynamic = "force-dynamic";

// POST /api/uploads/:id/confirm - confirms the upload once its record is on chain with the same CID
export const POST = withSession<{ id: string }>(async ({ request, address, params }) => {
  const id = uploadIdParam(params.id);
  return json(await confirmUpload(address, id, (await parseJsonBody(request, confirmUploadRequestSchema)).recordId));
});
