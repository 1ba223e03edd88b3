import type { z } from "zod";
import { keyRefusalDetailsSchema } from "@/lib/api/schemas";
import { ApiClientError } from "@/lib/api/client/http";
import { ChainError, getGrants, isActiveDoctor, logAccess, type BrowserChain } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
import { AccessRefusedError, openRecord, type ChainRecordRef, type OpenProgress } from "@/lib/records/client/open";
import type { RecordMetadata } from "@/lib/records/client/metadata";
import { patientOfRecord } from "@/lib/records/client/list";
import { formatExpiry, isExpired } from "./patients";

const MESSAGES = {
  revoked: "Access refused: the patient revoked your access to this record.",
  deactivated: "Access refused: your doctor account is deactivated. An administrator must reactivate it.",
  not_logged: "Access refused: the key store did not find your access-log entry for this opening yet. Open the record again.",
};
const expiredMessage = (expiresAt: number) =>
  expiresAt ? `Access refused: your access to this record expired on ${formatExpiry(expiresAt)}.` : "Access refused: your access to this record has expired.";

const revokedOrExpired = (expiresAt: number, cause: unknown) =>
  isExpired(expiresAt) ? new AccessRefusedError("expired", expiredMessage(expiresAt), cause) : new AccessRefusedError("revoked", MESSAGES.revoked, cause);

/**
 * Why the contract refused logAccess, in words. From the custom error when the wallet passed the revert data
 * on; otherwise (some wallets drop it) from the chain's views: is the caller an active doctor, and does a
 * grant still cover the record (the grant's expiry tells expired from revoked).
 */
async function refusalFromChain(chain: BrowserChain, recordId: string, error: unknown, expiresAt: number): Promise<AccessRefusedError | undefined> {
  if (!(error instanceof ChainError) || error.kind === "rejected" || error.mayBeOnChain) return undefined;
  switch (error.errorName) {
    case "PatientContractNotActiveDoctor":
      return new AccessRefusedError("deactivated", MESSAGES.deactivated, error);
    case "PatientContractAccessDenied":
    case "PatientContractRecordNotFound":
      return revokedOrExpired(expiresAt, error);
  }
  try {
    if (!(await isActiveDoctor(chain, chain.account))) return new AccessRefusedError("deactivated", MESSAGES.deactivated, error);
    const grant = (await getGrants(chain, patientOfRecord(recordId), chain.account)).find((entry) => entry.recordId === recordId);
    if (!grant?.granted) return new AccessRefusedError("revoked", MESSAGES.revoked, error);
    if (!grant.readable) return new AccessRefusedError("expired", expiredMessage(grant.expiresAt || expiresAt), error);
  } catch {
    // the views failed too: report the original error
  }
  return undefined;
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
    throw (await refusalFromChain(chain, record.recordId, error, record.expiresAt)) ?? error;
  }
  // 2. Key, content, checks.
  try {
    return await openRecord(record, key, onProgress);
  } catch (error) {
    throw refusalFromServer(error, record.expiresAt) ?? error;
  }
}
