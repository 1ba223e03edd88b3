import { z } from "zod";
import type { AccessRequest } from "@/lib/access-requests/schemas";
import { openJson, sealJson, unwrapDataKey } from "@/lib/records/client/envelope";
import { encodeWrappedKey, wrapKey } from "@/lib/crypto";

/** The longest reason a doctor may write. */
export const MAX_REASON_LENGTH = 1000;

const reasonSchema = z.strictObject({ reason: z.string().min(1).max(MAX_REASON_LENGTH) });

/**
 * Seals a request's reason in this browser: encrypted under a fresh data key, which is wrapped (sealed box)
 * for the patient's key and for the doctor's own (so the doctor can read back what they wrote).
 */
export function sealReason(reason: string, patientPublicKey: Uint8Array, doctorPublicKey: Uint8Array) {
  const sealed = sealJson({ reason }, patientPublicKey);
  try {
    return { encryptedReason: sealed.ciphertext, reasonKeys: { patient: sealed.wrappedKey, doctor: encodeWrappedKey(wrapKey(sealed.dataKey, doctorPublicKey)) } };
  } finally {
    sealed.dataKey.fill(0);
  }
}

/** The reason of a request, opened with the reader's secret key; undefined when it cannot be opened here. */
export function openReason(request: Pick<AccessRequest, "encryptedReason" | "reasonKey">, secretKey: Uint8Array): string | undefined {
  try {
    const dataKey = unwrapDataKey(request.reasonKey, secretKey);
    try {
      return openJson(reasonSchema, dataKey, request.encryptedReason).reason;
    } finally {
      dataKey.fill(0);
    }
  } catch {
    return undefined;
  }
}

