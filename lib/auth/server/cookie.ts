import "server-only";
import { getEnv } from "@/lib/config";

export const SESSION_COOKIE = "ehr_session";

/** The session token from the Cookie header, if it has the shape we issue (43 base64url chars). */
export function readSessionToken(request: Request): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== SESSION_COOKIE) continue;
    const value = rest.join("=");
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

/** Secure only in production behind https (PUBLIC_URL, else the request's own scheme). */
function secure(request: Request): boolean {
  const env = getEnv();
  const origin = env.PUBLIC_URL ?? request.url;
  return env.NODE_ENV === "production" && new URL(origin).protocol === "https:";
}

export function sessionCookie(request: Request, token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure(request) ? "; Secure" : ""}`;
}

export function clearedSessionCookie(request: Request): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(request) ? "; Secure" : ""}`;
}
