import "server-only";
import type { z } from "zod";
import { ApiError } from "@/lib/api";

/** JSON bodies are small (the largest is an upload's encrypted metadata and keys). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** zod issues as `{ path, message }` (each pair once), the `details` of a 422. */
export function issueDetails(error: z.ZodError): Array<{ path: string; message: string }> {
  const seen = new Set<string>();
  return error.issues
    .map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }))
    .filter((detail) => {
      const key = `${detail.path}\n${detail.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
}

/** Parses a value against a schema; failures are a 422 naming each failing path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = "The request body"): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError("invalid_input", `${what} is invalid.`, issueDetails(result.error));
  return result.data;
}

/**
 * Reads at most MAX_JSON_BODY_BYTES of JSON (413 beyond), then validates it (422). The body must be declared
 * `application/json` (else 415): a cross-site HTML form or a "simple" fetch can only send text/plain,
 * form-urlencoded or multipart without a CORS preflight, so this also keeps such requests out.
 */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/json") throw new ApiError("unsupported_media_type", "Send the request body as application/json.");
  const text = await readCappedText(request, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("invalid_input", "The request body is not valid JSON.");
  }
  return parseInput(schema, value);
}

async function readCappedText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new ApiError("payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ApiError("payload_too_large", `The request body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The URL's query parameters as an object (the last of repeated ones), validated (422 naming each failing parameter). */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  return parseInput(schema, Object.fromEntries(new URL(request.url).searchParams), "The query string");
}
