import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { pendingRequests } from "@/lib/emergency/server/requests";

export const dynamic = "force-dynamic";

// GET /api/emergency/requests - pending emergency requests with the caller's own sealed share and note
export const GET = withSession(async ({ address }) => json(await pendingRequests(address)), { role: "admin" });
