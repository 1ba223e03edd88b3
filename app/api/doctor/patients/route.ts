import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { doctorPatients } from "@/lib/sharing/server/shares";

export const dynamic = "force-dynamic";

// GET /api/doctor/patients - every patient who ever granted the calling doctor anything, with the current state
export const GET = withSession(async ({ address }) => json(await doctorPatients(address)), { role: "doctor" });
