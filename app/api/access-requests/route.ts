import { json } from "@/lib/api";
import { parseJsonBody } from "@/lib/api/parse-input";
import { createAccessRequestSchema } from "@/lib/access-requests/schemas";
import { createAccessRequest } from "@/lib/access-requests/server/create";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/access-requests - an active doctor asks a patient for access (reason sealed in the browser); 409 while one is open
export const POST = withSession(async ({ request, address }) => json(await createAccessRequest(address, await parseJsonBody(request, createAccessRequestSchema)), 201), {
  role: "doctor",
});
