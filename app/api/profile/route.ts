import { json } from "@/lib/api";
import { profileSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { getProfile, putProfile } from "@/lib/records/server/profiles";

export const dynamic = "force-dynamic";

// GET /api/profile - the caller's encrypted profile and its wrapped key; 404 when none
export const GET = withSession(async ({ address }) => json(await getProfile(address)));

// PUT /api/profile - stores the caller's encrypted profile (ciphertext and wrapped key only)
export const PUT = withSession(async ({ request, address }) => json(await putProfile(address, await parseJsonBody(request, profileSchema))));
