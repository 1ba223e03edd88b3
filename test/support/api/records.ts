import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { bytesToBase64, encryptBytes, encryptJson, randomDataKey, wrapKey } from "@/lib/crypto";
import type { RecordMetadata } from "@/lib/records/client/metadata";
import type { ApiClient } from "./api-client";
import { addRecord } from "./chain";

/** Valid record metadata titled `title` (a lab result at St Paging). */
export const recordMetadata = (title: string): RecordMetadata => ({
  version: 1,
  title,
  hospital: "St Paging",
  reason: "Check-up",
  admissionDate: "2026-03-01",
  dischargeDate: "2026-03-02",
  category: "lab-result",
  fileName: "visit.pdf",
  size: 100,
  sha256: "a".repeat(64),
  mimeType: "application/pdf",
});

/**
 * A record of `patient` (signed in as `client`), stored as the patient's browser stores one: a 100-byte
 * envelope, its metadata, its data key wrapped for `publicKey`; uploaded, added on chain from the patient's
 * account and confirmed. Returns the record id.
 */
export async function storeRecordThroughApi(client: ApiClient, patient: string, publicKey: Uint8Array, metadata: RecordMetadata): Promise<string> {
  const dataKey = randomDataKey();
  const ciphertext = await encryptBytes(dataKey, new Uint8Array(randomBytes(100)));
  const created = await client.post("/api/uploads", {
    json: {
      patient,
      size: ciphertext.length,
      encryptedMetadata: bytesToBase64(encryptJson(dataKey, metadata)),
      wrappedKeys: [{ recipient: patient, wrappedKey: bytesToBase64(wrapKey(dataKey, publicKey)) }],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: ciphertext, headers: { "content-type": "application/octet-stream" } });
  assert.equal(content.status, 200, JSON.stringify(content.body));
  const { cidDigest, codec } = content.body as { cidDigest: string; codec: number };
  const recordId = await addRecord(patient, patient, cidDigest, codec);
  assert.equal((await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
  return recordId;
}
