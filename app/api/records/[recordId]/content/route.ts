import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { recordContent } from "@/lib/records/server/read-records";

export const dynamic = "force-dynamic";

// GET /api/records/:recordId/content - the record's ciphertext, streamed from IPFS (same rule as its key)
export const GET = withSession<{ recordId: string }>(async ({ address, params }) => {
  const { stream, size } = await recordContent(address, parseInput(recordIdSchema, params.recordId, "The record id"));
  return new Response(stream, {
    // Next 16 drops a route handler's Content-Length (send-response.js), so the size also goes in
    // X-Content-Length for the browser's progress bar.
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(size),
      "x-content-length": String(size),
      "cache-control": "private, no-store, no-transform",
    },
  });
});
