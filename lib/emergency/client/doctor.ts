import { ApiClientError } from "@/lib/api/client/http";
import { keyRefusalDetailsSchema } from "@/lib/api/schemas";
import { ChainError, encryptionKeyOf, getAllRecords, logAccess, type BrowserChain, type ChainRecord, type TxStatus } from "@/lib/chain/client";
import { base64ToBytes, publicKeyFromHex } from "@/lib/crypto";
import type { UnlockedKey } from "@/lib/keystore";
import type { RecordMetadata } from "@/lib/records/client/metadata";
import { cidMatchesChain, downloadAndOpen, IntegrityError, type OpenProgress } from "@/lib/records/client/open";
import * as api from "./api";
import { adminsWithKeys, emergencyAccessOf, emergencyKeyOf, getEmergencyRequest, hasEmergencyAccess, requestEmergencyAccess, type EmergencyRequestView } from "./chain";
import { combineShares, matchesPublicKey } from "../key-shares";
import { sealNote } from "../note";
import { NOTE_REQUIRED_REASON, isReasonCode } from "../reasons";
import { openBytes } from "../seal";
import { EmergencyError } from "./patient";

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");

export type RequestProgress = { step: "check" } | { step: "seal" } | { step: "sign"; tx: TxStatus } | { step: "note" } | { step: "done"; requestId: string };

/**
 * A doctor asks for emergency access: 1. the patient must have opted in (chain) -> 2. an optional note, sealed
 * for the patient and every administrator with a key (keys from the chain); its hash goes on chain -> 3. sign
 * requestEmergencyAccess -> 4. store the sealed note (the server checks it against the hash on chain).
 */
export async function requestEmergency(chain: BrowserChain, args: { patient: string; reasonCode: number; note: string }, onProgress: (progress: RequestProgress) => void): Promise<string> {
  const patient = args.patient.toLowerCase();
  const note = args.note.trim();
  onProgress({ step: "check" });
  if (!isReasonCode(args.reasonCode)) throw new EmergencyError("Choose a reason.");
  if (args.reasonCode === NOTE_REQUIRED_REASON && !note) throw new EmergencyError("Explain the reason in the note.");
  const [emergencyKey, patientKey] = await Promise.all([emergencyKeyOf(chain, patient), encryptionKeyOf(chain, patient)]);
  if (!emergencyKey.key) throw new EmergencyError("This patient has not opted in to emergency access.");

  let sealed: ReturnType<typeof sealNote> | undefined;
  if (note) {
    onProgress({ step: "seal" });
    const admins = await adminsWithKeys(chain);
    const readers = [...(patientKey ? [{ address: patient, publicKey: publicKeyFromHex(patientKey) }] : []), ...admins.map((entry) => ({ address: entry.admin, publicKey: publicKeyFromHex(entry.key) }))];
    sealed = sealNote(note, readers);
  }
  let requestId: string;
  try {
    ({ requestId } = await requestEmergencyAccess(chain, patient, args.reasonCode, sealed?.noteHash, (tx) => onProgress({ step: "sign", tx })));
  } catch (error) {
    throw new EmergencyError(error instanceof ChainError ? error.message : `The request failed: ${reasonOf(error)}.`, error);
  }
  if (sealed) {
    onProgress({ step: "note" });
    try {
      await api.putNotes(requestId, { notes: sealed.sealed.map((entry) => ({ recipient: entry.recipient as `0x${string}`, sealedNote: entry.sealedNote })) });
    } catch (error) {
      throw new EmergencyError(`Your request ${requestId} is on chain, but its note could not be stored: ${reasonOf(error)}.`, error);
    }
  }
  onProgress({ step: "done", requestId });
  return requestId;
}

/** The doctor's latest request for a patient as the chain has it (undefined: none). */
export async function latestRequest(chain: BrowserChain, patient: string): Promise<(EmergencyRequestView & { live: boolean }) | undefined> {
  const { requestId } = await emergencyAccessOf(chain, chain.account, patient.toLowerCase());
  if (requestId === "0") return undefined;
  const [request, live] = await Promise.all([getEmergencyRequest(chain, requestId), hasEmergencyAccess(chain, chain.account, patient.toLowerCase())]);
  return request && { ...request, live };
}

/** A live emergency session in the doctor's browser: the rebuilt emergency secret key and the records in scope. */
export interface EmergencySession {
  patient: string;
  requestId: string;
  grantedUntil: number;
  secretKey: Uint8Array;
  records: ChainRecord[];
}

/** The server's 403 reason (no_grant, expired, inactive, no_access_log), in words. */
function refusalMessage(error: unknown): string | undefined {
  if (!(error instanceof ApiClientError) || error.status !== 403) return undefined;
  const details = keyRefusalDetailsSchema.safeParse(error.details);
  switch (details.success ? details.data.reason : undefined) {
    case "expired":
      return `Access refused: ${error.message}`;
    case "inactive":
      return "Access refused: your doctor account is deactivated.";
    case "no_access_log":
      return "Access refused: the key store did not find your access-log entry for this opening yet. Open the record again.";
    default:
      return "Access refused: you have no live emergency access to this patient's records.";
  }
}

/**
 * Starts an emergency session: the shares approvers re-sealed for this doctor are opened with the doctor's key,
 * combined, and the result checked against the patient's emergency public key read from the chain (never the
 * server's copy). Refusals (no access, window over) become an EmergencyError with the reason.
 */
export async function startEmergencySession(chain: BrowserChain, key: UnlockedKey, patient: string): Promise<EmergencySession> {
  let access: Awaited<ReturnType<typeof api.getEmergencyAccess>>;
  try {
    access = await api.getEmergencyAccess(patient.toLowerCase());
  } catch (error) {
    throw new EmergencyError(refusalMessage(error) ?? `Emergency access could not be checked: ${reasonOf(error)}.`, error);
  }
  const onChain = await emergencyKeyOf(chain, access.patient);
  if (!onChain.key) throw new EmergencyError("The patient has no emergency key on chain any more.");
  const shares: Uint8Array[] = [];
  for (const entry of access.shares) {
    try {
      shares.push(openBytes(base64ToBytes(entry.sealedShare), key.secretKey));
    } catch {
      // A share that does not open with this doctor's key is not counted.
    }
  }
  if (shares.length < access.threshold) throw new EmergencyError(`Only ${shares.length} of the ${access.threshold} shares needed have been released to you.`);
  let secretKey: Uint8Array;
  try {
    secretKey = await combineShares(shares);
  } finally {
    shares.forEach((share) => share.fill(0));
  }
  if (!matchesPublicKey(secretKey, onChain.key)) {
    secretKey.fill(0);
    throw new EmergencyError("The released shares do not rebuild the patient's emergency key on chain. Tell an administrator.");
  }
  const inScope = new Set(access.recordIds);
  const records = (await getAllRecords(chain, access.patient)).filter((record) => inScope.has(record.recordId));
  return { patient: access.patient, requestId: access.requestId, grantedUntil: access.grantedUntil, secretKey, records };
}

/**
 * Opens one record under emergency access, with the same checks as a granted opening: 1. logAccess on chain
 * (the patient sees it; the key store needs it) -> 2. the data key wrapped for the emergency key, the CID
 * named by the key store must be the chain's -> 3. the ciphertext must hash to that CID, decrypt fully and
 * match the size and SHA-256 in the metadata.
 */
export async function openEmergencyRecord(chain: BrowserChain, session: EmergencySession, record: ChainRecord, onProgress?: (progress: OpenProgress) => void): Promise<{ bytes: Uint8Array<ArrayBuffer>; metadata: RecordMetadata }> {
  try {
    await logAccess(chain, record.recordId, (tx) => onProgress?.({ step: "log", tx }));
  } catch (error) {
    if (error instanceof ChainError && !error.mayBeOnChain && error.kind !== "rejected") throw new EmergencyError("Access refused: the chain no longer lets you read this patient's records (the emergency window may have ended).", error);
    throw error;
  }
  onProgress?.({ step: "key" });
  let stored: Awaited<ReturnType<typeof api.getEmergencyRecordKey>>;
  let response: Response;
  try {
    stored = await api.getEmergencyRecordKey(record.recordId);
    if (!cidMatchesChain(stored.cid, record)) throw new IntegrityError(undefined, "the key store names another CID than the chain");
    response = await api.getEmergencyRecordContent(record.recordId);
  } catch (error) {
    const message = refusalMessage(error);
    throw message ? new EmergencyError(message, error) : error;
  }
  return downloadAndOpen(record, stored, response, session.secretKey, onProgress);
}
