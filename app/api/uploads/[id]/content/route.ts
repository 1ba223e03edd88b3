import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { uploadIdParam } from "@/lib/records/server/encoding";
import { receiveContent } from "@/lib/records/server/receive-content";

export const dynamic = "force-dynamic";

// PUT /api/uploads/:id/content - streams the encrypted file (application/octet-stream) to IPFS and pins it
export const PUT = withSession<{ id: string }>(async ({ request, address, params }) =>
  json(await receiveContent(address, uploadIdParam(params.id), request)),
);
