import { json } from "@/lib/api";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { putEmergencyKeysRequestSchema } from "@/lib/emergency/schemas";
import { storeEmergencyKeys } from "@/lib/emergency/server/enrolment";

export const dynamic = "force-dynamic";

// PUT /api/emergency/keys - data keys of the caller's records wrapped for their emergency key (one version)
export const PUT = withSession(async ({ request, address }) => json(await storeEmergencyKeys(address, await parseJsonBody(request, putEmergencyKeysRequestSchema))), {
  role: "patient",
});
