import type { SystemHealth } from "./system-health";

export type { SystemHealth };

/** Browser side of GET /api/health: the report, whether the status was 200 or 503. */
export async function fetchHealth(signal?: AbortSignal): Promise<SystemHealth> {
  const response = await fetch("/api/health", { cache: "no-store", signal });
  if (response.status !== 200 && response.status !== 503) throw new Error(`Health check failed with HTTP ${response.status}`);
  return (await response.json()) as SystemHealth;
}
