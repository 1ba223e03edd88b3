import { json } from "@/lib/api";
import { recordsQueryRequestSchema } from "@/lib/api/schemas";
import { parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { queryRecords } from "@/lib/records/server/read-records";

export const dynamic = "force-dynamic";

// POST /api/records/query - the listed records the caller may read, with their wrapped keys; the rest with a reason
export const POST = withSession(async ({ request, address }) =>
  json(await queryRecords(address, (await parseJsonBody(request, recordsQueryRequestSchema)).recordIds)),
);
