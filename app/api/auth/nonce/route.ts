import { json } from "@/lib/api";
import { issueNonce } from "@/lib/auth/server/nonces";
import { publicRoute } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// GET /api/auth/nonce - a single-use nonce for the next Sign-In with Ethereum message (valid 5 minutes)
export const GET = publicRoute(async () => json({ nonce: await issueNonce() }));
