import { json } from "@/lib/api";
import { verifyRequestSchema } from "@/lib/api/schemas";
import { sessionCookie } from "@/lib/auth/server/cookie";
import { parseJsonBody } from "@/lib/api/parse-input";
import { SESSION_TTL_SECONDS, sessionResponse } from "@/lib/auth/server/sessions";
import { verifySignIn } from "@/lib/auth/server/verify-sign-in";
import { publicRoute } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/auth/verify - checks a signed EIP-4361 message and sets the session cookie
export const POST = publicRoute(async ({ request }) => {
  const { token, session } = await verifySignIn(request, await parseJsonBody(request, verifyRequestSchema));
  return json(sessionResponse(session), 200, { "set-cookie": sessionCookie(token, SESSION_TTL_SECONDS) });
});
