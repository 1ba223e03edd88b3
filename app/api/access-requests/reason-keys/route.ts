import { json } from "@/lib/api";
import { parseJsonBody } from "@/lib/api/parse-input";
import { putReasonKeysSchema } from "@/lib/access-requests/schemas";
import { storeReasonKeys } from "@/lib/access-requests/server/reason-keys";
import { withSession } from "@/lib/auth/server/with-session";

export const dynamic = "force-dynamic";

// PUT /api/access-requests/reason-keys - after a key rotation, the caller's copies of request reasons' keys re-wrapped for the new key
export const PUT = withSession(async ({ request, address }) => json(await storeReasonKeys(address, await parseJsonBody(request, putReasonKeysSchema))));
