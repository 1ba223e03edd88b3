import { json } from "@/lib/api";
import { pruneSharesRequestSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { pruneShareKeys } from "@/lib/sharing/server/prune";

export const dynamic = "force-dynamic";

// POST /api/shares/prune - deletes a doctor's wrapped keys on the caller's records the chain no longer lets them read
export const POST = withSession(async ({ request, address }) => json(await pruneShareKeys(address, await parseJsonBody(request, pruneSharesRequestSchema))), {
  role: "patient",
});
