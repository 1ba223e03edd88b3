import { json } from "@/lib/api";
import { approveAccessRequest } from "@/lib/access-requests/server/decide";
import { requestIdParam } from "@/lib/access-requests/server/view";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/access-requests/[id]/approve - the patient marks a request approved once the chain holds a live grant to that doctor
export const POST = withSession<{ id: string }>(async ({ address, params }) => json(await approveAccessRequest(address, requestIdParam(params.id))), { role: "patient" });
