import { json } from "@/lib/api";
import { parseInput, parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { putReleaseRequestSchema, requestIdSchema } from "@/lib/emergency/schemas";
import { storeReleasedShare, withdrawReleasedShare } from "@/lib/emergency/server/requests";

export const dynamic = "force-dynamic";

const requestId = (value: string) => BigInt(parseInput(requestIdSchema, value, "The request id"));

// PUT /api/emergency/requests/:requestId/release - the caller's share re-sealed for the doctor, before approveEmergencyAccess
export const PUT = withSession<{ requestId: string }>(
  async ({ request, address, params }) => {
    const id = requestId(params.requestId);
    return json(await storeReleasedShare(address, id, (await parseJsonBody(request, putReleaseRequestSchema)).sealedShare));
  },
  { role: "admin" },
);

// DELETE /api/emergency/requests/:requestId/release - withdraws it when the approval did not reach the chain
export const DELETE = withSession<{ requestId: string }>(async ({ address, params }) => json(await withdrawReleasedShare(address, requestId(params.requestId))), {
  role: "admin",
});
