import { json } from "@/lib/api";
import { parseInput, parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { putNotesRequestSchema, requestIdSchema } from "@/lib/emergency/schemas";
import { storeNotes } from "@/lib/emergency/server/doctor-access";

export const dynamic = "force-dynamic";

// PUT /api/emergency/requests/:requestId/notes - the requesting doctor's note, sealed for the patient and each administrator
export const PUT = withSession<{ requestId: string }>(
  async ({ request, address, params }) => {
    const id = BigInt(parseInput(requestIdSchema, params.requestId, "The request id"));
    return json(await storeNotes(address, id, await parseJsonBody(request, putNotesRequestSchema)));
  },
  { role: "doctor" },
);
