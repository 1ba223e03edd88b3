import "server-only";
import { getEnv } from "@/lib/config";
import { getPool } from "@/lib/db/pool";
import { clientAddress, createLimiters, LIMIT_VARIABLE, rateLimitClass, type Limiters, type RateLimitClass } from "./limiters";

export { clientAddress, rateLimitClass, type RateLimitClass } from "./limiters";

let shared: Limiters | undefined;

function sharedLimiters(): Limiters {
  if (!shared) {
    const env = getEnv();
    const limits = Object.fromEntries(Object.entries(LIMIT_VARIABLE).map(([kind, variable]) => [kind, env[variable]])) as Record<RateLimitClass, number>;
    shared = createLimiters(getPool(), limits);
  }
  return shared;
}

/** 429 with Retry-After when the client address is over its limit for this request's class. */
export async function limitByAddress(request: Request): Promise<void> {
  const kind = rateLimitClass(request.method, new URL(request.url).pathname);
  if (kind) await sharedLimiters().consume(kind, "address", clientAddress(request, getEnv().TRUSTED_PROXIES));
}

/** 429 with Retry-After when the session is over its limit for this request's class (sign-in has none). */
export async function limitBySession(request: Request, sessionId: string): Promise<void> {
  const kind = rateLimitClass(request.method, new URL(request.url).pathname);
  if (kind && kind !== "signIn") await sharedLimiters().consume(kind, "session", sessionId);
}
