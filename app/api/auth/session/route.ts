import { json } from "@/lib/api";
import { sessionResponse } from "@/lib/auth/server/sessions";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// GET /api/auth/session - the signed-in wallet and when its session ends; 401 when not signed in
export const GET = withSession(async ({ address, chainId, expiresAt }) => json(sessionResponse({ address, chainId, expiresAt })));
