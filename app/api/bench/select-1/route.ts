import { json, route } from "@/lib/api";
import { selectOne } from "@/lib/bench/server/bench-routes";

export const dynamic = "force-dynamic";

// GET /api/bench/select-1 - a bare SELECT 1 on the app's pool, only with EHR_BENCH_ROUTES=1 (404 otherwise)
export const GET = route(async () => json(await selectOne()));
