import { json } from "@/lib/api";
import { requestsOfDoctor } from "@/lib/access-requests/server/list";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// GET /api/access-requests/sent - the doctor's requests, newest first, with their outcome
export const GET = withSession(async ({ address }) => json(await requestsOfDoctor(address)), { role: "doctor" });
