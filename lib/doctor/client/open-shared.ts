import type { z } from "zod";
import { keyRefusalDetailsSchema } from "@/lib/api/schemas";
import { ApiClientError } from "@/lib/api/client/http";
import { ChainError, logAccess, type BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { AccessRefusedError, openRecord, type ChainRecordRef, type OpenProgress } from "@/lib/records/client/open";
import type { RecordMetadata } from "@/lib/records/client/metadata";
import { formatExpiry, isExpired } from "./patients";

const MESSAGES = {
  revoked: "Access refused: the patient revoked your access to this record.",
  deactivated: "Access refused: your doctor account is deactivated. An administrator must reactivate it.",
  not_logged: "Access refused: the key store did not find your access-log entry for this opening yet. Open the record again.",
};
const expiredMessage = (expiresAt: number) =>
  expiresAt ? `Access refused: your access to this record expired on ${formatExpiry(expiresAt)}.` : "Access refused: your access to this record has expired.";

/** The contract's refusal of logAccess, in words (the chain cannot tell a revoked from an expired grant; the expiry can). */
function refusalFromChain(error: unknown, expiresAt: number): AccessRefusedError | undefined {
  if (!(error instanceof ChainError) || error.kind !== "reverted") return undefined;
  switch (error.errorName) {
    case "PatientContractNotActiveDoctor":
      return new AccessRefusedError("deactivated", MESSAGES.deactivated, error);
    case "PatientContractAccessDenied":
    case "PatientContractRecordNotFound":
      return isExpired(expiresAt) ? new AccessRefusedError("expired", expiredMessage(expiresAt), error) : new AccessRefusedError("revoked", MESSAGES.revoked, error);
    default:
      return undefined;
  }
}

/** The key store's 403 with `details.reason` (inactive, no_grant, expired, no_access_log), in words. */
function refusalFromServer(error: unknown, expiresAt: number): AccessRefusedError | undefined {
  if (!(error instanceof ApiClientError) || error.status !== 403) return undefined;
  const details = keyRefusalDetailsSchema.safeParse(error.details);
  const reason: z.infer<typeof keyRefusalDetailsSchema>["reason"] | undefined = details.success ? details.data.reason : undefined;
  switch (reason) {
    case "inactive":
      return new AccessRefusedError("deactivated", MESSAGES.deactivated, error);
    case "expired":
      // The server's own words carry the date by its clock.
      return new AccessRefusedError("expired", expiresAt ? expiredMessage(expiresAt) : `Access refused: ${error.message}`, error);
    case "no_access_log":
      return new AccessRefusedError("not_logged", MESSAGES.not_logged, error);
    case "no_grant":
    default:
      return new AccessRefusedError("revoked", MESSAGES.revoked, error);
  }
}

/**
 * A doctor opens a shared record:
 * 1. logAccess(recordId) in the wallet, so the opening is in the patient's access log (the key store
 *    releases the key only after this event);
 * 2. the wrapped key and the ciphertext, checked and decrypted exactly as the patient's own (openRecord).
 * A refusal by the contract or by the key store becomes an AccessRefusedError saying which: revoked,
 * expired (with the date) or deactivated.
 */
export async function openSharedRecord(
  chain: BrowserChain,
  record: ChainRecordRef & { expiresAt: number },
  key: UnlockedKey,
  onProgress?: (progress: OpenProgress) => void,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata }> {
  // 1. The access log entry on chain.
  try {
    await logAccess(chain, record.recordId, (tx) => onProgress?.({ step: "log", tx }));
  } catch (error) {
    throw refusalFromChain(error, record.expiresAt) ?? error;
  }
  // 2. Key, content, checks.
  try {
    return await openRecord(record, key, onProgress);
  } catch (error) {
    throw refusalFromServer(error, record.expiresAt) ?? error;
  }
}
