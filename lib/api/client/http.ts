/**
 * The one browser client for the app's API: every portal's fetch goes through `request`/`requestJson`, and
 * every non-2xx answer becomes an ApiClientError carrying the server's `{ error: { code, message } }`.
 */
import type { z } from "zod";
import { errorResponseSchema } from "@/lib/api/schemas";

/** Any non-2xx answer from the app's API (or a network failure: status 0), with the server's code and message. */
export class ApiClientError extends Error {
  override name = "ApiClientError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function errorFrom(response: Response | { status: number; text: string }): Promise<ApiClientError> {
  const text = response instanceof Response ? await response.text().catch(() => "") : response.text;
  try {
    const parsed = errorResponseSchema.safeParse(JSON.parse(text));
    if (parsed.success) return new ApiClientError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
  } catch {
    // not JSON
  }
  return new ApiClientError(response.status, `http_${response.status}`, `The server answered ${response.status}.`);
}

/**
 * How long the app's server may take to start answering (its status and headers; a body, such as a record's
 * content, may take longer to arrive). A server that never answers becomes an error the page can show.
 */
export const API_ANSWER_TIMEOUT_MS = 30_000;

/**
 * fetch on the app's origin with the session cookie; throws ApiClientError for network failures, for no
 * answer within `answerTimeoutMs` (code "timeout"), and for non-2xx.
 */
export async function request(path: string, init: RequestInit = {}, answerTimeoutMs = API_ANSWER_TIMEOUT_MS): Promise<Response> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), answerTimeoutMs);
  let response: Response;
  try {
    // A caller's own signal stays in charge (a browser without AbortSignal.any then goes without the deadline).
    const signal = !init.signal ? deadline.signal : typeof AbortSignal.any === "function" ? AbortSignal.any([init.signal, deadline.signal]) : init.signal;
    response = await fetch(path, { credentials: "same-origin", ...init, signal });
  } catch (error) {
    if (init.signal?.aborted) throw error; // the caller's own abort
    if (deadline.signal.aborted) {
      throw new ApiClientError(0, "timeout", `The app's server did not answer within ${answerTimeoutMs / 1000} s. Try again in a moment.`);
    }
    throw new ApiClientError(0, "network", "The app's server cannot be reached. Check your connection and try again.");
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** `request`, then the JSON body parsed with `schema` (an unexpected shape is an ApiClientError too). */
export async function requestJson<S extends z.ZodType>(schema: S, path: string, init: RequestInit = {}): Promise<z.infer<S>> {
  const response = await request(path, init);
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new ApiClientError(response.status, "bad_response", `Unexpected answer from ${path}.`);
  return parsed.data;
}

/** RequestInit for a JSON body. */
export const sendJson = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** `requestJson`, but a 404 answers null (for "not stored yet" lookups). */
export async function requestJsonOrNull<S extends z.ZodType>(schema: S, path: string, init: RequestInit = {}): Promise<z.infer<S> | null> {
  try {
    return await requestJson(schema, path, init);
  } catch (error) {
    if (error instanceof ApiClientError && error.status === 404) return null;
    throw error;
  }
}
