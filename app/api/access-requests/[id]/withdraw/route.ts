import { json } from "@/lib/api";
import { withdrawAccessRequest } from "@/lib/access-requests/server/decide";
import { requestIdParam } from "@/lib/access-requests/server/view";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/access-requests/[id]/withdraw - the doctor withdraws their own pending request
export const POST = withSession<{ id: string }>(async ({ address, params }) => json(await withdrawAccessRequest(address, requestIdParam(params.id))), { role: "doctor" });
