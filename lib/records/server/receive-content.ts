import "server-only";
import { ApiError } from "@/lib/api";
import type { UploadContentResponse } from "@/lib/api/schemas";
import { claimForReceiving, markReceived, releaseReceiving, uploadExists } from "@/lib/db/repositories/uploads";
import { getIpfsStore } from "@/lib/ipfs/server-store";
import { unpinIfUnused } from "./cleanup-expired-uploads";
import { cidChainParts } from "@/lib/ipfs/cid-chain-parts";
import { RECEIVED_TTL_MS, RECEIVING_STALE_MS } from "./limits";
import { uploaderUpload } from "./uploader-upload";

/** lib/crypto's file envelope starts with "EHRF" and version 1. */
const ENVELOPE_PREFIX = new Uint8Array([0x45, 0x48, 0x52, 0x46, 0x01]);

/**
 * Streams the request body into IPFS without buffering it: checks the envelope prefix on the way, and
 * stops (so nothing is pinned) as soon as the body is longer than declared or ends shorter than declared.
 */
export async function receiveContent(caller: `0x${string}`, uploadId: string, request: Request): Promise<UploadContentResponse> {
  const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/octet-stream") {
    throw new ApiError("unsupported_media_type", "Send the encrypted file as application/octet-stream.");
  }
  const upload = await uploaderUpload(caller, uploadId);
  if (upload.status === "received" || upload.status === "confirmed") throw new ApiError("conflict", "The content of this upload was already received.");
  const declared = upload.declaredSize;
  const contentLength = request.headers.get("content-length");
  if (contentLength !== null && Number(contentLength) > declared) {
    throw new ApiError("payload_too_large", `The content is larger than the ${declared} bytes declared for this upload.`);
  }
  if (!request.body) throw new ApiError("invalid_input", `The content is empty; ${declared} bytes were declared.`);
  if (!(await claimForReceiving(upload.id, RECEIVING_STALE_MS))) throw new ApiError("conflict", "The content of this upload is already being received.");

  let failure: ApiError | undefined;
  const controller = new AbortController();
  const reader = request.body.getReader();
  let total = 0;
  async function* checkedChunks(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const start = total;
        total += value.byteLength;
        if (start < ENVELOPE_PREFIX.length) {
          const seen = value.subarray(0, ENVELOPE_PREFIX.length - start);
          if (seen.some((byte, i) => byte !== ENVELOPE_PREFIX[start + i])) {
            throw (failure = new ApiError("unsupported_media_type", "The content is not an encrypted record (no EHRF v1 envelope)."));
          }
        }
        if (total > declared) {
          throw (failure = new ApiError("payload_too_large", `The content is larger than the ${declared} bytes declared for this upload.`));
        }
        yield value;
      }
      if (total < declared) {
        throw (failure = new ApiError("invalid_input", `The content ended after ${total} of the ${declared} bytes declared.`));
      }
    } finally {
      if (failure) {
        controller.abort(failure);
        await reader.cancel().catch(() => {});
      }
    }
  }

  let added: { cid: string; size: number };
  try {
    added = await (await getIpfsStore()).add(checkedChunks(), { signal: controller.signal });
  } catch (error) {
    await releaseReceiving(upload.id).catch(() => {});
    // The store failed (IPFS unreachable) while the client was still sending: read the rest of what it declared,
    // so that it gets this answer instead of a connection closed under its upload.
    if (!failure) await discardRest(reader, declared - total);
    throw failure ?? error;
  }
  if (!(await markReceived(upload.id, added.cid, added.size, RECEIVED_TTL_MS))) {
    await releaseReceiving(upload.id).catch(() => {});
    await unpinIfUnused(added.cid);
    if (!(await uploadExists(upload.id))) {
      throw new ApiError("not_found", "This upload was cancelled or expired while its content was being sent; start the upload again.");
    }
    throw new ApiError("conflict", "This encrypted file was already uploaded.");
  }
  const { cidDigest, codec } = cidChainParts(added.cid);
  if (codec !== 0x55 && codec !== 0x70) throw new Error(`IPFS returned a CID with codec ${codec}`);
  return { cid: added.cid, size: added.size, cidDigest, codec };
}

/** Reads and drops up to `maxBytes` more of a request body (cancelling it beyond that, or on a read error). */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<void> {
  try {
    for (let left = maxBytes; ; ) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
      if (left < 0) break;
    }
  } catch {
    // The client went away: nothing to answer.
  }
  await reader.cancel().catch(() => {});
}
