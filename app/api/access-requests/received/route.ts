import { json } from "@/lib/api";
import { requestsToPatient } from "@/lib/access-requests/server/list";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// GET /api/access-requests/received - the patient's pending requests from doctors active on chain, with their registry entries
export const GET = withSession(async ({ address }) => json(await requestsToPatient(address)), { role: "patient" });
