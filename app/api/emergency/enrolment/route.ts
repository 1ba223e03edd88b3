import { json } from "@/lib/api";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { putEnrolmentRequestSchema } from "@/lib/emergency/schemas";
import { readEnrolment, storeEnrolment } from "@/lib/emergency/server/enrolment";

export const dynamic = "force-dynamic";

// GET /api/emergency/enrolment - the caller's stored emergency opt-in for the chain's live key version (null if none)
export const GET = withSession(async ({ address }) => json(await readEnrolment(address)), { role: "patient" });

// PUT /api/emergency/enrolment - the public key, sealed scope and one sealed share per administrator, before setEmergencyKey
export const PUT = withSession(async ({ request, address }) => json(await storeEnrolment(address, await parseJsonBody(request, putEnrolmentRequestSchema))), {
  role: "patient",
});
