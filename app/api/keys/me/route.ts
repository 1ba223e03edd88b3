import { json } from "@/lib/api";
import { putKeyRequestSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { putMyKey } from "@/lib/records/server/keys";

export const dynamic = "force-dynamic";

// PUT /api/keys/me - stores the caller's encryption public key once the chain confirms it is theirs
export const PUT = withSession(async ({ request, address }) =>
  json(await putMyKey(address, (await parseJsonBody(request, putKeyRequestSchema)).publicKey)),
);
