import "server-only";
import { getEnv } from "@/lib/config";

/** The cookie's name over plain http (development, tests, `npm start` on 127.0.0.1). */
export const SESSION_COOKIE = "ehr_session";
/**
 * The name when the cookie is Secure: the `__Host-` prefix makes the browser refuse it unless it is Secure,
 * Path=/ and without Domain, so a sibling subdomain cannot plant or shadow our session cookie.
 */
export const SECURE_SESSION_COOKIE = "__Host-ehr_session";

/** Secure only in production behind https; in production the origin is always PUBLIC_URL (never the request). */
function secure(): boolean {
  const env = getEnv();
  return env.NODE_ENV === "production" && env.PUBLIC_URL !== undefined && new URL(env.PUBLIC_URL).protocol === "https:";
}

/** The session cookie's name under the current configuration; only that one is read. */
export const sessionCookieName = (): string => (secure() ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** The session token from the Cookie header, if it has the shape we issue (43 base64url chars). */
export function readSessionToken(request: Request): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  const cookieName = sessionCookieName();
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== cookieName) continue;
    const value = rest.join("=");
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

const attributes = () => `HttpOnly; SameSite=Strict; Path=/${secure() ? "; Secure" : ""}`;

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${sessionCookieName()}=${token}; ${attributes()}; Max-Age=${maxAgeSeconds}`;
}

export function clearedSessionCookie(): string {
  return `${sessionCookieName()}=; ${attributes()}; Max-Age=0`;
}
