import { json } from "@/lib/api";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { completeRotationRequestSchema } from "@/lib/rotation/schemas";
import { completeRotation } from "@/lib/rotation/server/complete-rotation";

export const dynamic = "force-dynamic";

// POST /api/keys/rotation/complete - swaps the staged keys in once the chain shows the caller's new key
export const POST = withSession(async ({ request, address }) =>
  json(await completeRotation(address, (await parseJsonBody(request, completeRotationRequestSchema)).newPublicKey)),
);
