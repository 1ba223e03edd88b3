// Runs once when the Next.js server starts (never in the browser or the edge runtime).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { assertChainIdentity } = await import("./lib/health/chain-identity");
  await assertChainIdentity();
}
