import { withSession } from "@/lib/auth/server/with-session";
import { cancelUpload } from "@/lib/records/server/cancel-upload";
import { uploadIdParam } from "@/lib/records/server/encoding";

export const dynamic = "force-dynamic";

// DELETE /api/uploads/:id - drops an unconfirmed upload: unpins its content, deletes its pending keys
export const DELETE = withSession<{ id: string }>(async ({ address, params }) => {
  await cancelUpload(address, uploadIdParam(params.id));
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});
