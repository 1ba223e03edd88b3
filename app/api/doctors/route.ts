import { json } from "@/lib/api";
import { doctorsQuerySchema } from "@/lib/api/schemas";
import { parseQuery } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { listDoctors } from "@/lib/sharing/server/doctors-registry";

export const dynamic = "force-dynamic";

// GET /api/doctors?q=&offset=&limit= - the doctors registry from the chain, searched and paged
export const GET = withSession(async ({ request }) => json(await listDoctors(parseQuery(request, doctorsQuerySchema))));
