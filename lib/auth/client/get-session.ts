import { sessionResponseSchema, type SessionResponse } from "@/lib/api/schemas";
import { authRequestError } from "./auth-error";

/** The current session, or null when not signed in (401). Other failures throw AuthRequestError. */
export async function getSession(fetchImpl: typeof fetch = fetch): Promise<SessionResponse | null> {
  const response = await fetchImpl("/api/auth/session", { credentials: "same-origin", cache: "no-store" });
  if (response.status === 401) return null;
  if (!response.ok) throw await authRequestError(response);
  return sessionResponseSchema.parse(await response.json());
}
