import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { accessLog } from "@/lib/sharing/server/access-log";

export const dynamic = "force-dynamic";

// GET /api/access-log - the caller's record openings, grant history and key-store audit, newest first
export const GET = withSession(async ({ address }) => json(await accessLog(address)), { role: "patient" });
