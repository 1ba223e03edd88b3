import { clearedSessionCookie } from "@/lib/auth/server/cookie";
import { endSession } from "@/lib/auth/server/sessions";
import { publicRoute } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/auth/logout - ends the session (if any) and clears the cookie; always 204
export const POST = publicRoute(async ({ request }) => {
  await endSession(request);
  return new Response(null, { status: 204, headers: { "set-cookie": clearedSessionCookie(), "cache-control": "no-store" } });
});
