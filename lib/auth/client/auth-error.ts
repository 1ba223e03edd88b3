/**
 * An error answer of the auth API, with its HTTP status, `{ error: { code, message } }` and, for a refused
 * sign-in, `details.reason` (e.g. "nonce_invalid", "chain_mismatch": lib/auth/server/verify-sign-in.ts).
 */
export class AuthRequestError extends Error {
  override name = "AuthRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export async function authRequestError(response: Response): Promise<AuthRequestError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown; details?: { reason?: unknown } } } | undefined;
  const code = typeof body?.error?.code === "string" ? body.error.code : "internal";
  const message = typeof body?.error?.message === "string" ? body.error.message : `The server answered ${response.status}.`;
  const reason = typeof body?.error?.details?.reason === "string" ? body.error.details.reason : undefined;
  return new AuthRequestError(response.status, code, message, reason);
}
