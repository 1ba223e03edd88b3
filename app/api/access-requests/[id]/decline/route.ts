import { json } from "@/lib/api";
import { declineAccessRequest } from "@/lib/access-requests/server/decide";
import { requestIdParam } from "@/lib/access-requests/server/view";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/access-requests/[id]/decline - the patient declines a pending request
export const POST = withSession<{ id: string }>(async ({ address, params }) => json(await declineAccessRequest(address, requestIdParam(params.id))), { role: "patient" });
