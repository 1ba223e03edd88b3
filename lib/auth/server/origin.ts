import "server-only";
import { ApiError } from "@/lib/api";
import { getEnv } from "@/lib/config";

/**
 * The origin this app is served at, which sign-in messages must name and browser requests must come from.
 * In production always PUBLIC_URL (lib/config requires it there): the Host header is the client's to choose,
 * so trusting it would let a proxy or attacker pick the SIWE domain. Only outside production, without
 * PUBLIC_URL, is it the host the request came to.
 */
export function expectedOrigin(request: Request): { host: string; origin: string } {
  const env = getEnv();
  if (env.PUBLIC_URL) {
    const url = new URL(env.PUBLIC_URL);
    return { host: url.host, origin: url.origin };
  }
  if (env.NODE_ENV === "production") throw new Error("PUBLIC_URL is required when NODE_ENV=production.");
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return { host, origin: `${new URL(request.url).protocol}//${host}` };
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF guard for state-changing requests: a browser always sends Origin on a cross-origin POST/PUT/PATCH/
 * DELETE, so one that names another origin is refused. Requests without Origin (curl, server-to-server, the
 * integration tests) are allowed: no browser can be tricked into sending those with the victim's cookie.
 * SameSite=Strict on the session cookie is the first line; this is the second.
 */
export function assertSameOrigin(request: Request): void {
  if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return;
  const origin = request.headers.get("origin");
  if (origin === null) return;
  if (origin !== expectedOrigin(request).origin) throw new ApiError("forbidden", "Cross-origin request refused.");
}
