import { json } from "@/lib/api";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { stageRotationRequestSchema } from "@/lib/rotation/schemas";
import { cancelRotation } from "@/lib/rotation/server/complete-rotation";
import { rotationKeys } from "@/lib/rotation/server/rotation-keys";
import { stageRotation } from "@/lib/rotation/server/stage-rotation";

export const dynamic = "force-dynamic";

// GET /api/keys/rotation - every data key wrapped for the caller (and their profile's), to re-wrap for a new key
export const GET = withSession(async ({ address }) => json(await rotationKeys(address)));

// PUT /api/keys/rotation - stages keys re-wrapped for the caller's new key, before the chain transaction
export const PUT = withSession(async ({ request, address }) => json(await stageRotation(address, await parseJsonBody(request, stageRotationRequestSchema))));

// DELETE /api/keys/rotation - drops an unfinished rotation whose new key never reached the chain
export const DELETE = withSession(async ({ address }) => json(await cancelRotation(address)));
