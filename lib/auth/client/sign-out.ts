import { authRequestError } from "./auth-error";

/** Ends the session on the server and clears the cookie. Safe to call when not signed in. */
export async function signOut(fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await fetchImpl("/api/auth/logout", { method: "POST", credentials: "same-origin" });
  if (!response.ok) throw await authRequestError(response);
}
