import { ciphertextResponse } from "@/lib/api";
import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { emergencyRecordContent } from "@/lib/emergency/server/doctor-access";

export const dynamic = "force-dynamic";

// GET /api/emergency/records/:recordId/content - the record's ciphertext under emergency access (same rule as its key; audited)
export const GET = withSession<{ recordId: string }>(async ({ address, params }) =>
  ciphertextResponse(await emergencyRecordContent(address, parseInput(recordIdSchema, params.recordId, "The record id"))),
);
