import { json } from "@/lib/api";
import { putShareKeysRequestSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { storeShareKeys } from "@/lib/sharing/server/share-keys";

export const dynamic = "force-dynamic";

// PUT /api/shares/keys - stores data keys of the caller's records re-wrapped for an active doctor, before the grant
export const PUT = withSession(async ({ request, address }) => json(await storeShareKeys(address, await parseJsonBody(request, putShareKeysRequestSchema))), {
  role: "patient",
});
