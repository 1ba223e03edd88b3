import { clearedSessionCookie } from "@/lib/auth/server/cookie";
import { endAllSessions } from "@/lib/auth/server/sessions";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// POST /api/auth/logout-all - "sign out everywhere": ends every session of the signed-in address (every
// browser and device) and clears this cookie; 204, or 401 when not signed in
export const POST = withSession(async ({ address }) => {
  await endAllSessions(address);
  return new Response(null, { status: 204, headers: { "set-cookie": clearedSessionCookie(), "cache-control": "no-store" } });
});
