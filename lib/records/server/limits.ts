import "server-only";
import { getEnv } from "@/lib/config";
import { encryptedSize } from "@/lib/crypto";

/** Pending uploads live this long; then the clean-up unpins their content and drops their keys. */
export const UPLOAD_TTL_MS = 60 * 60 * 1000;
/**
 * Once its content is received, an upload waits this long for its confirm (the record's transaction may be
 * slow, or the browser may retry): markReceived moves expires_at to this far ahead, and the clean-up never
 * drops a received upload sooner than this after its content arrived.
 */
export const RECEIVED_TTL_MS = 24 * 60 * 60 * 1000;
/** A content PUT that has not finished after this long is treated as crashed. */
export const RECEIVING_STALE_MS = 15 * 60 * 1000;

/** The largest ciphertext accepted: the envelope of a MAX_UPLOAD_BYTES file. */
export const maxCiphertextBytes = () => encryptedSize(getEnv().MAX_UPLOAD_BYTES);

/** Per-patient caps (env): uploads started and not yet confirmed or cancelled, and encrypted bytes held. */
export const patientCaps = () => {
  const env = getEnv();
  return { pendingUploads: env.MAX_PENDING_UPLOADS_PER_PATIENT, storedBytes: env.MAX_STORED_BYTES_PER_PATIENT };
};
