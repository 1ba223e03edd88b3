import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { emergencyLog } from "@/lib/emergency/server/patient-log";

export const dynamic = "force-dynamic";

// GET /api/emergency/log - every emergency request on the caller's records, with approvers and openings
export const GET = withSession(async ({ address }) => json(await emergencyLog(address)), { role: "patient" });
