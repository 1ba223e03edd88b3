import { ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { bytesToBase64, encodeWrappedKey, generateKeyPair, publicKeyFromHex, publicKeyToHex, wrapKey } from "@/lib/crypto";
import type { UnlockedKey } from "@/lib/keystore";
import { loadMyRecords } from "@/lib/records/client";
import { queryRecords } from "@/lib/records/client/api";
import { openJson, unwrapDataKey } from "@/lib/records/client/envelope";
import { recordMetadataSchema } from "@/lib/records/client/metadata";
import * as api from "./api";
import { adminsWithKeys, clearEmergencyKey, emergencyKeyOf, emergencyThreshold, setEmergencyKey } from "./chain";
import { MIN_SHARE_THRESHOLD, splitSecret } from "../key-shares";
import { sealBytes } from "../seal";
import { openScope, sealScope, type EmergencyScope } from "../scope";

export type { EmergencyScope };

export const inScope = (scope: EmergencyScope, category: string) => scope.kind === "all" || (scope.categories as string[]).includes(category);

export interface EmergencyStatus {
  /** On chain: the live emergency key, its version and threshold; undefined when not opted in. */
  onChain: { key: string | undefined; version: number; threshold: number };
  /** The scope (opened here) and how many records are wrapped for the key, when the server has this version. */
  scope?: EmergencyScope;
  /**
   * Opted in, but the stored scope did not verify (sealed by someone else, or under a key since rotated): the
   * patient must choose the scope again; it is never taken as "all records".
   */
  scopeUnverified: boolean;
  /** Administrators whose share no longer opens with their key on chain (new key, or removed): renew the key. */
  orphanedShares: string[];
  records?: number;
  /** Records a doctor added since the last visit that were just wrapped for the emergency key (in scope). */
  addedNow: number;
  /** Administrators with a key on chain, and the approvals the contract asks for. */
  adminsWithKey: number;
  threshold: number;
}

export async function loadEmergencyStatus(chain: BrowserChain, key: UnlockedKey): Promise<EmergencyStatus> {
  const [onChain, admins, threshold, stored] = await Promise.all([emergencyKeyOf(chain, key.address), adminsWithKeys(chain), emergencyThreshold(chain), api.getEnrolment()]);
  const enrolment = stored.enrolment && onChain.key && stored.enrolment.publicKey === onChain.key ? stored.enrolment : undefined;
  const scope = enrolment && onChain.key ? openScope(enrolment.sealedScope, key.secretKey, { patient: key.address, keyVersion: onChain.version, emergencyPublicKey: onChain.key }) : undefined;
  const addedNow = scope && onChain.key && enrolment ? await wrapRecordsAddedByOthers(key, { version: onChain.version, publicKey: onChain.key }, scope, enrolment.addedByOthers) : 0;
  return {
    onChain,
    scope,
    scopeUnverified: enrolment !== undefined && scope === undefined,
    orphanedShares: enrolment?.orphanedShares ?? [],
    records: enrolment && enrolment.records + addedNow,
    addedNow,
    adminsWithKey: admins.length,
    threshold,
  };
}

/**
 * A doctor who adds a record for the patient wraps its data key for the patient and themselves, but cannot
 * know whether it is in the patient's emergency scope (sealed for the patient). The server lists such records
 * still without an emergency key; here the patient's browser reads each one's category and wraps those in
 * scope for the emergency key. Returns how many it wrapped.
 */
export async function wrapRecordsAddedByOthers(key: UnlockedKey, emergency: { version: number; publicKey: string }, scope: EmergencyScope, recordIds: readonly string[]): Promise<number> {
  if (recordIds.length === 0) return 0;
  const { records } = await queryRecords([...recordIds]);
  const emergencyKey = publicKeyFromHex(emergency.publicKey);
  const keys: { recordId: string; wrappedKey: string }[] = [];
  for (const entry of records) {
    const dataKey = unwrapDataKey(entry.wrappedKey, key.secretKey);
    try {
      const { category } = openJson(recordMetadataSchema, dataKey, entry.encryptedMetadata);
      if (inScope(scope, category)) keys.push({ recordId: entry.recordId, wrappedKey: encodeWrappedKey(wrapKey(dataKey, emergencyKey)) });
    } catch {
      // Metadata that does not open is left out (the record itself shows as unreadable in "My records").
    } finally {
      dataKey.fill(0);
    }
  }
  return keys.length === 0 ? 0 : api.putEmergencyKeys(emergency.version, keys);
}

/**
 * On each visit (the dashboard calls it in the background): the records doctors added since, wrapped for the
 * emergency key when in scope. Nothing to do, and no request to the key store, when emergency access is off.
 */
export async function includeRecordsAddedByOthers(chain: BrowserChain, key: UnlockedKey): Promise<number> {
  const onChain = await emergencyKeyOf(chain, key.address);
  if (!onChain.key) return 0;
  const { enrolment } = await api.getEnrolment();
  if (!enrolment || enrolment.publicKey !== onChain.key || enrolment.addedByOthers.length === 0) return 0;
  const scope = openScope(enrolment.sealedScope, key.secretKey, { patient: key.address, keyVersion: onChain.version, emergencyPublicKey: onChain.key });
  return scope ? wrapRecordsAddedByOthers(key, { version: onChain.version, publicKey: onChain.key }, scope, enrolment.addedByOthers) : 0;
}

export type OptInProgress =
  | { step: "check" }
  | { step: "split"; admins: number; threshold: number }
  | { step: "store" }
  | { step: "wrap"; done: number; total: number }
  | { step: "sign"; tx: TxStatus }
  | { step: "done"; records: number; version: number };

export class EmergencyError extends Error {
  override name = "EmergencyError";
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");

/**
 * Opting in, or renewing (the same flow, a new version): 1. read the administrators with a key and the
 * threshold from the chain -> 2. a new emergency key pair; its secret split into one Shamir share per
 * administrator, each sealed for that administrator's on-chain key -> 3. store the public key, the scope
 * (sealed for the patient) and the shares -> 4. wrap the data key of each record in scope for the emergency
 * public key and store them -> 5. sign setEmergencyKey. The emergency secret key is zeroed at the end: from
 * then on only `threshold` administrators together can rebuild it. Until step 5 is mined the stored material
 * is for a version the chain does not have, which the server serves to nobody.
 */
export async function enableEmergencyAccess(chain: BrowserChain, key: UnlockedKey, scope: EmergencyScope, onProgress: (progress: OptInProgress) => void): Promise<{ version: number; records: number }> {
  if (scope.kind === "categories" && scope.categories.length === 0) throw new EmergencyError("Choose at least one category.");
  // 1. Administrators and the threshold, from the chain.
  onProgress({ step: "check" });
  const [admins, chainThreshold, current] = await Promise.all([adminsWithKeys(chain), emergencyThreshold(chain), emergencyKeyOf(chain, key.address)]);
  // Never fewer than two approvals, whatever the chain's setting: one administrator alone must not hold the key.
  const threshold = Math.max(chainThreshold, MIN_SHARE_THRESHOLD);
  if (admins.length < threshold) {
    throw new EmergencyError(`Emergency access needs ${threshold} administrators with an encryption key; ${admins.length} ${admins.length === 1 ? "has" : "have"} one. Try again later.`);
  }
  const version = current.version + 1;

  // 2. The emergency key pair and its shares.
  onProgress({ step: "split", admins: admins.length, threshold });
  const pair = generateKeyPair();
  try {
    const shares = await splitSecret(pair.secretKey, admins.length, threshold);
    const sealedShares = admins.map((entry, i) => {
      const sealed = sealBytes(shares[i]!, publicKeyFromHex(entry.key));
      shares[i]!.fill(0);
      return { admin: entry.admin as `0x${string}`, sealedShare: bytesToBase64(sealed) };
    });
    const publicKeyHex = publicKeyToHex(pair.publicKey);

    // 3. Store the opt-in (nothing is live before the chain has this version).
    onProgress({ step: "store" });
    try {
      await api.putEnrolment({ keyVersion: version, publicKey: publicKeyHex as `0x${string}`, sealedScope: sealScope(scope, { patient: key.address, keyVersion: version, emergencyPublicKey: publicKeyHex }, key), shares: sealedShares });
    } catch (error) {
      throw new EmergencyError(`The key store did not accept your emergency key: ${reasonOf(error)}. Nothing changed.`, error);
    }

    // 4. Wrap the records in scope for the emergency key.
    const records = (await loadMyRecords(chain, key)).flatMap((entry) => (entry.status === "ok" && inScope(scope, entry.metadata.category) ? [entry] : []));
    onProgress({ step: "wrap", done: 0, total: records.length });
    const keys: { recordId: string; wrappedKey: string }[] = [];
    for (const entry of records) {
      const dataKey = unwrapDataKey(entry.wrappedKey, key.secretKey);
      try {
        keys.push({ recordId: entry.chain.recordId, wrappedKey: encodeWrappedKey(wrapKey(dataKey, pair.publicKey)) });
      } finally {
        dataKey.fill(0);
      }
      onProgress({ step: "wrap", done: keys.length, total: records.length });
    }
    try {
      await api.putEmergencyKeys(version, keys);
    } catch (error) {
      throw new EmergencyError(`Your records' keys could not be stored for emergency access: ${reasonOf(error)}. Nothing changed on chain.`, error);
    }

    // 5. Sign setEmergencyKey: from now on this key (and no earlier one) can be opened in an emergency.
    try {
      await setEmergencyKey(chain, publicKeyHex, threshold, (tx) => onProgress({ step: "sign", tx }));
    } catch (error) {
      const reason = error instanceof ChainError ? error.message.replace(/\.$/, "") : `The transaction failed (${reasonOf(error)})`;
      throw new EmergencyError(`${reason}. ${error instanceof ChainError && !error.mayBeOnChain ? "Your emergency settings did not change." : "It may still be recorded; reload in a minute."}`, error);
    }
    onProgress({ step: "done", records: keys.length, version });
    return { version, records: keys.length };
  } finally {
    pair.secretKey.fill(0);
  }
}

/** Opting out: clearEmergencyKey on chain ends any emergency window at once; the stored material opens nothing without a live version. */
export const disableEmergencyAccess = (chain: BrowserChain, onStatus?: (tx: TxStatus) => void) => clearEmergencyKey(chain, onStatus);

/**
 * After the patient's own upload: if emergency access is on and the record's category is in scope, wrap its
 * data key for the emergency key too. Returns whether it did; a failure is reported, never thrown (the upload
 * itself succeeded).
 */
export async function wrapUploadForEmergency(chain: BrowserChain, key: UnlockedKey, recordId: string, category: string): Promise<{ wrapped: boolean; warning?: string }> {
  try {
    const onChain = await emergencyKeyOf(chain, key.address);
    if (!onChain.key) return { wrapped: false };
    const { enrolment } = await api.getEnrolment();
    if (!enrolment || enrolment.publicKey !== onChain.key) return { wrapped: false, warning: "Your emergency key is not complete on this server: renew it to include this record." };
    const scope = openScope(enrolment.sealedScope, key.secretKey, { patient: key.address, keyVersion: onChain.version, emergencyPublicKey: onChain.key });
    if (!scope) return { wrapped: false, warning: "Your emergency settings could not be verified: choose which records may be opened in an emergency again (renew your emergency key) to include this record." };
    if (!inScope(scope, category)) return { wrapped: false };
    const [entry] = (await queryRecords([recordId])).records;
    if (!entry) return { wrapped: false, warning: "The new record could not be read back to add it to emergency access." };
    const dataKey = unwrapDataKey(entry.wrappedKey, key.secretKey);
    try {
      await api.putEmergencyKeys(onChain.version, [{ recordId, wrappedKey: encodeWrappedKey(wrapKey(dataKey, publicKeyFromHex(onChain.key))) }]);
    } finally {
      dataKey.fill(0);
    }
    return { wrapped: true };
  } catch (error) {
    return { wrapped: false, warning: `The new record could not be added to emergency access (${reasonOf(error)}); renew your emergency key to include it.` };
  }
}
