import { json } from "@/lib/api";
import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { emergencyRecordKey } from "@/lib/emergency/server/doctor-access";

export const dynamic = "force-dynamic";

// GET /api/emergency/records/:recordId/key - the record's data key wrapped for the emergency key (403 with details.reason; audited)
export const GET = withSession<{ recordId: string }>(async ({ address, params }) => json(await emergencyRecordKey(address, parseInput(recordIdSchema, params.recordId, "The record id"))));
