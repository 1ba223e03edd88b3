import { json } from "@/lib/api";
import { withSession } from "@/lib/auth/server/with-session";
import { adminOverview } from "@/lib/admin/server/overview";

export const dynamic = "force-dynamic";

// GET /api/admin/overview - counts of doctors, patients, records, active grants and accesses, from the chain
export const GET = withSession(async () => json(await adminOverview()), { role: "admin" });
