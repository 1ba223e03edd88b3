import {
  ChainError,
  getAllAccess,
  getAllRecords,
  getGrants,
  grantAccess,
  grantAllAccess,
  grantRecordAccess,
  updateAllAccessExpiry,
  type BrowserChain,
  type DoctorOnChain,
  type TxReceipt,
  type TxStatus,
} from "@/lib/chain/client";
import { encodeWrappedKey, wrapKey } from "@/lib/crypto";
import type { UnlockedKey } from "@/lib/keystore";
import { ApiClientError } from "@/lib/api/client/http";
import { queryRecords } from "@/lib/records/client/api";
import { unwrapDataKey } from "@/lib/records/client/envelope";
import { pruneShares, putShareKeys } from "./api";
import { checkDoctorKey, doctorLabel } from "./doctor-key";
import { describeExpiry, nowSeconds } from "./expiry";

/** Some of the patient's records, or all of them including future ones. */
export type GrantScope = { kind: "records"; recordIds: readonly string[] } | { kind: "all" };

export type GrantStep = "check" | "wrap" | "store" | "sign" | "done";

export type GrantProgress =
  | { step: "check" }
  | { step: "wrap"; done: number; total: number }
  | { step: "store"; stored: number; total: number }
  | { step: "sign"; tx: TxStatus }
  | { step: "cleanup" }
  | { step: "done"; txHash: string };

/** How an all-records grant is written: a new one, or a new expiry for the existing one (its exclusions kept). */
export type AllRecordsMode = "grant" | "update-expiry";

/** A grant that did not complete, with where it stopped. `keyWarning`: the doctor's key could not be verified. */
export class GrantError extends Error {
  override name = "GrantError";
  constructor(
    message: string,
    readonly step: GrantStep,
    readonly cause?: unknown,
    readonly keyWarning = false,
  ) {
    super(message);
  }
}

export interface GrantResult {
  doctor: DoctorOnChain;
  /** Records whose data key is now wrapped for the doctor. */
  recordIds: string[];
  /** Existing records that could not be shared (all-records grants only): the key store has no key for them. */
  skipped: { recordId: string; reason: string }[];
  /** For an all-records grant: whether it was new or only changed the expiry of the existing one. */
  allRecordsMode?: AllRecordsMode;
  txHash: string;
}

/** What a grant will do, for the review step (reads only). */
export interface GrantPlan {
  /** For an all-records grant: "update-expiry" when the doctor already holds one (its revoked records stay revoked). */
  allRecordsMode?: AllRecordsMode;
}

/** Reads whether an all-records grant to `doctor` exists: if so, a new expiry is written with updateAllAccessExpiry. */
export async function planGrant(chain: BrowserChain, doctor: string, scope: GrantScope): Promise<GrantPlan> {
  if (scope.kind !== "all") return {};
  const existing = await getAllAccess(chain, chain.account, doctor.toLowerCase());
  return { allRecordsMode: existing.granted ? "update-expiry" : "grant" };
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");

function describeStoreFailure(error: unknown, label: string): { message: string; keyWarning: boolean } {
  if (error instanceof ApiClientError) {
    if (error.status === 409) {
      return { message: `The key store's key for ${label} differs from the key on chain (${error.message}). Nothing was granted.`, keyWarning: true };
    }
    if (error.status === 401) return { message: "Your session has ended. Sign in again, then retry. Nothing was granted.", keyWarning: false };
    if (error.status === 503) return { message: `The key store is unavailable right now (${error.message}). Nothing was granted; try again later.`, keyWarning: false };
  }
  return { message: `Storing the keys for ${label} failed: ${reasonOf(error)}. Nothing was granted.`, keyWarning: false };
}

/**
 * The grant flow. 1. check the doctor (active, key store key = on-chain key) and the expiry -> 2. find the
 * records and the patient's wrapped keys -> 3. unwrap each data key and re-wrap it for the doctor -> 4. store
 * those keys -> 5. sign the grant (grantRecordAccess, grantAccess, grantAllAccess, or updateAllAccessExpiry when
 * an all-records grant exists, so that the records revoked from it stay revoked) -> 6. store the keys again.
 * If the transaction certainly failed (`mayBeOnChain` false) the stored keys are pruned; if it may still be
 * mined they are kept, so that the grant works once it is.
 */
export async function grantToDoctor(
  args: { chain: BrowserChain; key: UnlockedKey; doctor: string; scope: GrantScope; expiresAt: number },
  onProgress: (progress: GrantProgress) => void,
): Promise<GrantResult> {
  const { chain, key, scope, expiresAt } = args;
  const address = args.doctor.toLowerCase();
  const patient = key.address.toLowerCase();

  // 1. Check the doctor and the expiry before anything is wrapped: the key must be the one on chain.
  onProgress({ step: "check" });
  if (expiresAt !== 0 && expiresAt <= nowSeconds()) throw new GrantError("The expiry is in the past. Choose a later one.", "check");
  if (scope.kind === "records" && scope.recordIds.length === 0) throw new GrantError("Choose at least one record.", "check");
  let check: Awaited<ReturnType<typeof checkDoctorKey>>;
  try {
    check = await checkDoctorKey(chain, address);
  } catch (error) {
    throw new GrantError(`The doctor's key could not be checked: ${reasonOf(error)}. Nothing was shared.`, "check", error);
  }
  if (!check.ok) throw new GrantError(check.message, "check", undefined, check.problem === "mismatch");
  const { doctor, publicKey } = check;
  const label = doctorLabel(doctor, address);

  // 2. The records to share and the patient's own wrapped keys for them.
  let recordIds: string[];
  let allRecordsMode: AllRecordsMode | undefined;
  let entries: Awaited<ReturnType<typeof queryRecords>>;
  try {
    if (scope.kind === "records") {
      recordIds = [...new Set(scope.recordIds)];
    } else {
      allRecordsMode = (await planGrant(chain, address, scope)).allRecordsMode;
      recordIds =
        allRecordsMode === "update-expiry"
          ? (await getGrants(chain, patient, address)).filter((grant) => grant.allRecords).map((grant) => grant.recordId)
          : (await getAllRecords(chain, patient)).map((record) => record.recordId);
    }
    entries = recordIds.length > 0 ? await queryRecords(recordIds) : { records: [], unavailable: [] };
  } catch (error) {
    throw new GrantError(`Your records could not be read: ${reasonOf(error)}. Nothing was shared.`, "check", error);
  }
  const skipped = entries.unavailable.map((entry) => ({
    recordId: entry.recordId,
    reason: entry.reason === "forbidden" ? "The key store refused this record." : "The key store has no key for this record.",
  }));
  if (scope.kind === "records" && skipped.length > 0) {
    throw new GrantError(`${skipped.length === 1 ? "One record" : `${skipped.length} records`} cannot be shared: ${skipped[0]!.reason} Nothing was shared.`, "check");
  }

  // 3. Re-wrap each data key for the doctor's verified key (each data key is zeroed once wrapped).
  const keys: { recordId: string; wrappedKey: string }[] = [];
  onProgress({ step: "wrap", done: 0, total: entries.records.length });
  for (const entry of entries.records) {
    let dataKey: Uint8Array | undefined;
    try {
      dataKey = unwrapDataKey(entry.wrappedKey, key.secretKey);
      keys.push({ recordId: entry.recordId, wrappedKey: encodeWrappedKey(wrapKey(dataKey, publicKey)) });
    } catch (error) {
      if (scope.kind === "records") throw new GrantError("A record's key could not be opened with your key. Nothing was shared.", "wrap", error);
      skipped.push({ recordId: entry.recordId, reason: "Its key could not be opened with your key." });
    } finally {
      dataKey?.fill(0);
    }
    onProgress({ step: "wrap", done: keys.length, total: entries.records.length });
  }
  const sharedIds = keys.map((entry) => entry.recordId);

  // Deletes the keys stored for the doctor where the chain does not let them read (never a live grant's).
  const prune = async () => {
    if (sharedIds.length === 0) return true;
    try {
      await pruneShares(address, sharedIds);
      return true;
    } catch {
      return false;
    }
  };

  // 4. Store the wrapped keys (before the grant: a grant without keys would be useless).
  if (keys.length > 0) {
    onProgress({ step: "store", stored: 0, total: keys.length });
    try {
      await putShareKeys(address, keys, (stored) => onProgress({ step: "store", stored, total: keys.length }));
    } catch (error) {
      const { message, keyWarning } = describeStoreFailure(error, label);
      onProgress({ step: "cleanup" });
      const cleaned = await prune();
      throw new GrantError(cleaned ? message : `${message} Some keys stored for the doctor could not be deleted yet; they open nothing without a grant.`, "store", error, keyWarning);
    }
  }

  // 5. Sign the grant.
  let receipt: TxReceipt;
  try {
    const onStatus = (tx: TxStatus) => onProgress({ step: "sign", tx });
    if (scope.kind === "all") {
      receipt = allRecordsMode === "update-expiry" ? await updateAllAccessExpiry(chain, address, expiresAt, onStatus) : await grantAllAccess(chain, address, expiresAt, onStatus);
    } else if (recordIds.length === 1) {
      receipt = await grantRecordAccess(chain, address, recordIds[0]!, expiresAt, onStatus);
    } else {
      receipt = await grantAccess(chain, address, recordIds, expiresAt, onStatus);
    }
  } catch (error) {
    const reason = error instanceof ChainError ? error.message.replace(/\.$/, "") : `The transaction failed (${reasonOf(error)})`;
    if (error instanceof ChainError && !error.mayBeOnChain) {
      // Certainly nothing on chain: drop the keys prepared for the doctor.
      onProgress({ step: "cleanup" });
      const cleaned = await prune();
      const tail = cleaned ? "Nothing was granted and the keys prepared for the doctor were deleted." : "Nothing was granted; the keys prepared for the doctor open nothing without a grant and will be deleted at the next revocation.";
      throw new GrantError(`${reason}. ${tail}`, "sign", error);
    }
    const hash = error instanceof ChainError && error.txHash ? ` (transaction ${error.txHash})` : "";
    throw new GrantError(`${reason}. The grant may still be recorded${hash}; check “Who can see what” in a few minutes before granting again.`, "sign", error);
  }

  // 6. Mined: store the keys once more. A revocation from another tab mined before this grant may have had its
  // prune delete them meanwhile; the chain now grants, and the doctor must find the keys.
  if (keys.length > 0) await putShareKeys(address, keys).catch(() => putShareKeys(address, keys).catch(() => undefined));

  const txHash = receipt.transactionHash;
  onProgress({ step: "done", txHash });
  return { doctor, recordIds: sharedIds, skipped, allRecordsMode, txHash };
}

/** One sentence for the outcome: "Dr Grey (Cardiology) can now read 2 records, until 12 Dec 2026, 14:05." */
export function describeGrant(result: GrantResult, scope: GrantScope, expiresAt: number): string {
  const label = doctorLabel(result.doctor, result.doctor.address);
  const expiry = describeExpiry(expiresAt);
  if (scope.kind === "all") {
    return result.allRecordsMode === "update-expiry"
      ? `The all-records grant of ${label} now lasts ${expiry === "no expiry" ? "with no expiry" : expiry}; records you revoked from it stay revoked.`
      : `${label} can now read all your records, including future ones (${expiry}).`;
  }
  const count = result.recordIds.length;
  return `${label} can now read ${count} record${count === 1 ? "" : "s"} (${expiry}).`;
}
