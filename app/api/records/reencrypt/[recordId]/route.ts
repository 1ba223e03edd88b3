import { json } from "@/lib/api";
import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { reencryptRecord } from "@/lib/reencrypt/server/record-readers";

export const dynamic = "force-dynamic";

// GET /api/records/reencrypt/:recordId - one of the caller's records: its CID, its amendment on chain, who holds a key
export const GET = withSession<{ recordId: string }>(async ({ address, params }) => json(await reencryptRecord(address, parseInput(recordIdSchema, params.recordId, "The record id"))), {
  role: "patient",
});
