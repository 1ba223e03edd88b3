import { json, route } from "@/lib/api";
import { systemHealth } from "@/lib/health/system-health";

export const dynamic = "force-dynamic";

// GET /api/health - chain, database and IPFS status; 200 when all are up, 503 otherwise
export const GET = route(async () => {
  const health = await systemHealth();
  return json(health, health.ok ? 200 : 503);
});
