import "server-only";
import { ApiError } from "@/lib/api";

/** base64 text (already shape-checked by the schema) to bytes. */
export const fromBase64 = (text: string): Uint8Array => Buffer.from(text, "base64");
export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An upload id from the URL; anything not a UUID is malformed (422), like every other malformed id. */
export function uploadIdParam(id: string | undefined): string {
  if (!id || !UUID.test(id)) throw new ApiError("invalid_input", "An upload id is a UUID.");
  return id.toLowerCase();
}
