import { json } from "@/lib/api";
import { recordIdSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { retireRecord } from "@/lib/reencrypt/server/retire-record";

export const dynamic = "force-dynamic";

// POST /api/records/reencrypt/:recordId/retire - once the record is amended on chain: deletes its keys, unpins its ciphertext
export const POST = withSession<{ recordId: string }>(async ({ address, params }) => json(await retireRecord(address, parseInput(recordIdSchema, params.recordId, "The record id"))), {
  role: "patient",
});
