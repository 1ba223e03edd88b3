import { json } from "@/lib/api";
import { createUploadRequestSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { createUpload } from "@/lib/records/server/create-upload";

export const dynamic = "force-dynamic";

// POST /api/uploads - starts an upload for the caller's own record: pending keys, expiry, size limit
export const POST = withSession(async ({ request, address }) =>
  json(await createUpload(address, await parseJsonBody(request, createUploadRequestSchema)), 201),
);
