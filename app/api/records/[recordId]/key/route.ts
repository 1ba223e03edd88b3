import { json } from "@/lib/api";
import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { recordKey } from "@/lib/records/server/read-records";

export const dynamic = "force-dynamic";

// GET /api/records/:recordId/key - one record with the caller's wrapped key (403 without a right on chain)
export const GET = withSession<{ recordId: string }>(async ({ address, params }) =>
  json(await recordKey(address, parseInput(recordIdSchema, params.recordId, "The record id"))),
);
