import { json } from "@/lib/api";
import { parseQuery } from "@/lib/api/parse-input";
import { doctorPatientsQuerySchema } from "@/lib/api/schemas";
import { withSession } from "@/lib/auth/server/with-session";
import { doctorPatients } from "@/lib/sharing/server/shares";

export const dynamic = "force-dynamic";

// GET /api/doctor/patients?limit=&cursor= - one page of the patients who ever granted the calling doctor
// anything, most recent grant first, with the current state; `next` is the following page's cursor.
export const GET = withSession(async ({ address, request }) => json(await doctorPatients(address, parseQuery(request, doctorPatientsQuerySchema))), { role: "doctor" });
