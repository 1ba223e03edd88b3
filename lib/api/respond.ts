import { ApiError } from "./api-error";

/** JSON that survives bigint values (web3 returns them; JSON.stringify throws on them). */
export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  return new Response(text, { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers } });
}

/**
 * A record's ciphertext, streamed. Next 16 drops a route handler's Content-Length (send-response.js), so the
 * size also goes in X-Content-Length for the browser's progress bar.
 */
export function ciphertextResponse({ stream, size }: { stream: ReadableStream<Uint8Array>; size: number }): Response {
  return new Response(stream, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(size),
      "x-content-length": String(size),
      "cache-control": "private, no-store, no-transform",
    },
  });
}

/** One error shape for every route. Unknown errors become 500 without internals. */
export function errorResponse(error: unknown): Response {
  if (error instanceof ApiError) {
    const body: { code: string; message: string; details?: unknown } = { code: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    return json({ error: body }, error.status, error.headers);
  }
  if (isUniqueViolation(error)) return json({ error: { code: "conflict", message: "This already exists." } }, 409);
  console.error("Unhandled error in a route:", error instanceof Error ? error.stack : "non-error thrown");
  return json({ error: { code: "internal", message: "Something went wrong on the server." } }, 500);
}

const isUniqueViolation = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
