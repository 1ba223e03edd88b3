import type { z } from "zod";
import {
  confirmUploadResponseSchema,
  createUploadResponseSchema,
  keyResponseSchema,
  MAX_RECORDS_PER_QUERY,
  profileSchema,
  recordKeyResponseSchema,
  recordsQueryResponseSchema,
  uploadContentResponseSchema,
  type CreateUploadRequest,
  type RecordsQueryResponse,
} from "@/lib/api/schemas";
import { ApiClientError, errorFrom, request, requestJson as json, requestJsonOrNull, sendJson } from "@/lib/api/client/http";

export { ApiClientError };

// --- keys and profile ----------------------------------------------------------------------------------
export async function putMyPublicKey(publicKey: string): Promise<void> {
  await request("/api/keys/me", sendJson("PUT", { publicKey }));
}

/** The public key the key store holds for an address, or null when it has none. */
export const getPublicKey = (address: string) => requestJsonOrNull(keyResponseSchema, `/api/keys/${address}`);

export async function putProfile(body: z.infer<typeof profileSchema>): Promise<void> {
  await request("/api/profile", sendJson("PUT", body));
}

export const getProfile = () => requestJsonOrNull(profileSchema, "/api/profile", { cache: "no-store" });

// --- uploads -------------------------------------------------------------------------------------------
export const createUpload = (body: CreateUploadRequest) => json(createUploadResponseSchema, "/api/uploads", sendJson("POST", body));

/** PUT the ciphertext with byte progress (XMLHttpRequest: fetch has no upload progress). Sent as it is, not copied. */
export function uploadContent(uploadId: string, body: Blob | Uint8Array<ArrayBuffer>, onProgress?: (sent: number, total: number) => void) {
  const size = body instanceof Blob ? body.size : body.byteLength;
  return new Promise<z.infer<typeof uploadContentResponseSchema>>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `/api/uploads/${encodeURIComponent(uploadId)}/content`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : size);
    xhr.onerror = () => reject(new ApiClientError(0, "network", "The upload was interrupted. Check your connection and try again."));
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) {
        void errorFrom({ status: xhr.status, text: xhr.responseText }).then(reject);
        return;
      }
      try {
        const parsed = uploadContentResponseSchema.safeParse(JSON.parse(xhr.responseText));
        if (parsed.success) return resolve(parsed.data);
      } catch {
        // fall through
      }
      reject(new ApiClientError(xhr.status, "bad_response", "Unexpected answer to the upload."));
    };
    xhr.send(body);
  });
}

export const confirmUpload = (uploadId: string, recordId: string) =>
  json(confirmUploadResponseSchema, `/api/uploads/${encodeURIComponent(uploadId)}/confirm`, sendJson("POST", { recordId }));

export async function deleteUpload(uploadId: string): Promise<void> {
  await request(`/api/uploads/${encodeURIComponent(uploadId)}`, { method: "DELETE" });
}

// --- records -------------------------------------------------------------------------------------------
/** Queries any number of ids, MAX_RECORDS_PER_QUERY at a time. */
export async function queryRecords(recordIds: string[]): Promise<RecordsQueryResponse> {
  const out: RecordsQueryResponse = { records: [], unavailable: [] };
  for (let start = 0; start < recordIds.length; start += MAX_RECORDS_PER_QUERY) {
    const page = await json(recordsQueryResponseSchema, "/api/records/query", sendJson("POST", { recordIds: recordIds.slice(start, start + MAX_RECORDS_PER_QUERY) }));
    out.records.push(...page.records);
    out.unavailable.push(...page.unavailable);
  }
  return out;
}

export const getRecordKey = (recordId: string) => json(recordKeyResponseSchema, `/api/records/${recordId}/key`, { cache: "no-store" });

/** The ciphertext as a response (its body is streamed by the caller). */
export const getRecordContent = (recordId: string) => request(`/api/records/${recordId}/content`, { cache: "no-store" });

export type CreatedUpload = z.infer<typeof createUploadResponseSchema>;
export type UploadedContent = z.infer<typeof uploadContentResponseSchema>;
