import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { patientShares } from "@/lib/sharing/server/shares";

export const dynamic = "force-dynamic";

// GET /api/shares - every doctor the caller ever granted anything, with the current state of their grants
export const GET = withSession(async ({ address }) => json(await patientShares(address)), { role: "patient" });
