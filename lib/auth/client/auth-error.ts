/** An error answer of the auth API, with its HTTP status and `{ error: { code, message } }`. */
export class AuthRequestError extends Error {
  override name = "AuthRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function authRequestError(response: Response): Promise<AuthRequestError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof body?.error?.code === "string" ? body.error.code : "internal";
  const message = typeof body?.error?.message === "string" ? body.error.message : `The server answered ${response.status}.`;
  return new AuthRequestError(response.status, code, message);
}
