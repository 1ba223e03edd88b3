import { ciphertextResponse } from "@/lib/api";
import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { recordContent } from "@/lib/records/server/read-records";

export const dynamic = "force-dynamic";

// GET /api/records/:recordId/content - the record's ciphertext, streamed from IPFS (same rule as its key)
export const GET = withSession<{ recordId: string }>(async ({ address, params }) =>
  ciphertextResponse(await recordContent(address, parseInput(recordIdSchema, params.recordId, "The record id"))),
);
