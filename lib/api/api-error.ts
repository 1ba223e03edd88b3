/** The error codes a route can answer with, and the HTTP status each one means. */
export const API_ERROR_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** A doctor's key in the key store differs from the one on chain (PUT /api/shares/keys). */
  key_mismatch: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_input: 422,
  /** Over a rate limit (lib/rate-limit); the answer carries Retry-After. */
  rate_limited: 429,
  service_unavailable: 503,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** Thrown anywhere below a route; the route wrapper turns it into `{ error: { code, message } }`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers (Retry-After on a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}
