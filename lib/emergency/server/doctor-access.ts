import "server-only";
import { ApiError } from "@/lib/api";
import { doctorStatus } from "@/lib/chain/server/doctors";
import { accessEvents } from "@/lib/chain/server/events";
import { latestBlockNumber, patientOfRecord, recordIdRange } from "@/lib/chain/server/reads";
import { appendEmergencyAudit, type EmergencyAuditReason } from "@/lib/db/repositories/emergency-audit";
import { emergencyRecordIds, findEmergencyRecord, findReleasedShares, putNotes } from "@/lib/db/repositories/emergency";
import { catStream } from "@/lib/ipfs/server-store";
import { ACCESS_LOG_LOOKBACK_BLOCKS, ACCESS_LOG_WINDOW_SECONDS } from "@/lib/records/server/authorize-read";
import { fromBase64, toBase64 } from "@/lib/records/server/encoding";
import { noteHashOf as sealedNoteHash } from "@/lib/emergency/note";
import type { EmergencyAccessResponse, EmergencyRecordKey, PutNotesRequest } from "@/lib/emergency/schemas";
import { adminsWithKeys, emergencyAccessOf, emergencyKeyOf, getEmergencyRequest, hasApprovedEmergency, hasEmergencyAccess, noteHashOf } from "./chain";

type Hex = `0x${string}`;
type Refusal = Exclude<EmergencyAuditReason, "emergency">;

const utc = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;

function refusal(reason: Refusal, grantedUntil?: number): ApiError {
  const message = {
    inactive: "Your doctor account is deactivated.",
    no_grant: "You have no emergency access to this patient's records.",
    expired: grantedUntil ? `Your emergency access ended on ${utc(grantedUntil)}.` : "Your emergency access has ended.",
    no_access_log: "Log this access on chain first.",
    not_found: "You have no emergency access to this patient's records.",
  }[reason];
  return new ApiError("forbidden", message, { reason: reason === "not_found" ? "no_grant" : reason });
}

/**
 * Stores the doctor's note for their request, sealed for the patient and the administrators, after the request
 * is on chain: the caller must be the request's doctor (403, the same for an unknown id), each sealed note's
 * ciphertext must hash to the request's noteHash on chain (422), and recipients are the patient and
 * administrators with a key (422).
 */
export async function storeNotes(doctor: Hex, requestId: bigint, input: PutNotesRequest): Promise<{ stored: number }> {
  const request = await getEmergencyRequest(requestId);
  if (!request || request.doctor !== doctor) throw new ApiError("forbidden", "This is not your emergency request.");
  const expected = await noteHashOf(requestId);
  if (!expected || /^0x0{64}$/.test(expected)) throw new ApiError("invalid_input", "This request was made without a note.", [{ path: "notes", message: "no note hash on chain" }]);
  const readers = new Set<string>([request.patient, ...(await adminsWithKeys()).map((entry) => entry.admin)]);
  const notes = input.notes.map((note) => ({ recipient: note.recipient, sealedNote: fromBase64(note.sealedNote) }));
  for (const [i, note] of notes.entries()) {
    if (!readers.has(note.recipient)) throw new ApiError("invalid_input", `${note.recipient} is neither the patient nor an administrator with a key.`, [{ path: `notes.${i}.recipient`, message: "not a reader of this note" }]);
    if (note.sealedNote.length <= 81 || sealedNoteHash(note.sealedNote) !== expected) {
      throw new ApiError("invalid_input", "A sealed note does not match the note hash on chain.", [{ path: `notes.${i}.sealedNote`, message: "does not match the note hash" }]);
    }
  }
  return { stored: await putNotes(requestId, notes) };
}

interface LiveAccess {
  requestId: bigint;
  grantedUntil: number;
  keyVersion: number;
  publicKey: Hex;
  threshold: number;
  block: bigint;
}

/**
 * The caller's live emergency access to `patient`, by the rules the key store applies itself: an active doctor
 * ("inactive"), hasEmergencyAccess at the latest block ("no_grant"), and the window's end after the server's
 * clock ("expired": an idle chain's latest block can be hours old).
 */
async function liveAccess(doctor: Hex, patient: Hex, now: number): Promise<LiveAccess | { refused: Refusal; grantedUntil?: number }> {
  const status = await doctorStatus(doctor);
  if (status === "inactive") return { refused: "inactive" };
  if (status === "none") return { refused: "no_grant" };
  const block = await latestBlockNumber();
  const [allowed, access, key] = await Promise.all([hasEmergencyAccess(doctor, patient, block), emergencyAccessOf(doctor, patient, block), emergencyKeyOf(patient, block)]);
  if (!allowed) {
    // Approved on the live key version with its window over by the chain's clock: "expired". Anything else
    // (never approved, refused, a renewed or cleared key) is "no_grant".
    const latest = access.requestId === 0n ? undefined : await getEmergencyRequest(access.requestId, block);
    const ended = latest?.state === "approved" && key.key !== undefined && latest.keyVersion === key.version;
    return ended ? { refused: "expired", grantedUntil: access.grantedUntil } : { refused: "no_grant" };
  }
  if (access.grantedUntil <= now) return { refused: "expired", grantedUntil: access.grantedUntil };
  const request = await getEmergencyRequest(access.requestId, block);
  if (!request || !key.key || request.keyVersion !== key.version) return { refused: "no_grant" };
  return { requestId: access.requestId, grantedUntil: access.grantedUntil, keyVersion: key.version, publicKey: key.key, threshold: request.threshold, block };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The key_audit row of a release of emergency key shares (or its refusal): it concerns the patient's emergency
 * key as a whole, not one record, so it is written on the last record id of the patient's range (index 2^96 - 1,
 * never a real record), with action "key" and the reasons of the per-record releases.
 */
export const emergencySharesAuditRecordId = (patient: string): string => (recordIdRange(patient).to - 1n).toString();

/**
 * What a doctor with live emergency access gets: the shares approvers re-sealed for them (approvals on chain
 * only) and the records in scope. Every release and every refusal leaves one key_audit row.
 */
export async function emergencyAccess(doctor: Hex, patient: Hex): Promise<EmergencyAccessResponse> {
  const audit = (allowed: boolean, reason: EmergencyAuditReason) =>
    appendEmergencyAudit({ actor: doctor, recordId: emergencySharesAuditRecordId(patient), action: "key", allowed, reason });
  const live = await liveAccess(doctor, patient, nowSeconds());
  if ("refused" in live) {
    await audit(false, live.refused);
    throw refusal(live.refused, live.grantedUntil);
  }
  const released = await findReleasedShares(live.requestId);
  const approved = await Promise.all(released.map((share) => hasApprovedEmergency(live.requestId, share.admin, live.block)));
  await audit(true, "emergency");
  return {
    requestId: live.requestId.toString(),
    patient,
    grantedUntil: live.grantedUntil,
    keyVersion: live.keyVersion,
    publicKey: live.publicKey,
    threshold: live.threshold,
    shares: released.filter((_, i) => approved[i]).map((share) => ({ admin: share.admin as Hex, sealedShare: toBase64(share.sealedShare) })),
    recordIds: await emergencyRecordIds(patient, live.keyVersion),
  };
}

/**
 * The key-release rule under emergency access for one record: live access to its patient (above), the record
 * in the emergency scope of the live key version ("no_grant", as for an unknown record), and a RecordAccessed
 * event of the caller on it within ACCESS_LOG_WINDOW_SECONDS of the server's clock ("no_access_log"). Every
 * decision leaves one key_audit row.
 */
async function decideRecord(doctor: Hex, recordId: string, action: "key" | "content") {
  const id = BigInt(recordId);
  const patient = patientOfRecord(id);
  const now = nowSeconds();
  const refuse = async (reason: Refusal, grantedUntil?: number): Promise<never> => {
    await appendEmergencyAudit({ actor: doctor, recordId: id.toString(), action, allowed: false, reason });
    throw refusal(reason, grantedUntil);
  };
  const live = await liveAccess(doctor, patient, now);
  if ("refused" in live) return refuse(live.refused, live.grantedUntil);
  const record = await findEmergencyRecord(id.toString(), live.keyVersion);
  if (!record) return refuse("no_grant");
  const fromBlock = live.block > ACCESS_LOG_LOOKBACK_BLOCKS ? live.block - ACCESS_LOG_LOOKBACK_BLOCKS : 0n;
  const events = await accessEvents({ patient, doctor, recordId: id }, { fromBlock, toBlock: live.block });
  if (!events.some((event) => event.time >= now - ACCESS_LOG_WINDOW_SECONDS)) return refuse("no_access_log");
  await appendEmergencyAudit({ actor: doctor, recordId: id.toString(), action, allowed: true, reason: "emergency" });
  return record;
}

export async function emergencyRecordKey(doctor: Hex, recordId: string): Promise<EmergencyRecordKey> {
  const record = await decideRecord(doctor, recordId, "key");
  return { recordId: BigInt(recordId).toString(), cid: record.cid, encryptedMetadata: toBase64(record.encryptedMetadata), wrappedKey: toBase64(record.wrappedKey) };
}

/** The record's ciphertext from IPFS as a stream, under the same rule as its emergency key. */
export async function emergencyRecordContent(doctor: Hex, recordId: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> {
  const record = await decideRecord(doctor, recordId, "content");
  return { stream: await catStream(record.cid), size: record.size };
}
