import "server-only";
import { ApiError } from "@/lib/api";
import { doctorOf } from "@/lib/chain/server/doctors";
import { latestBlockNumber } from "@/lib/chain/server/reads";
import { getServerWeb3 } from "@/lib/chain/server/web3";
import { chainRead } from "@/lib/chain/server/chain-errors";
import { deleteReleasedShare, findNotes, findSharesOfAdmin, hasShare, putReleasedShare } from "@/lib/db/repositories/emergency";
import { fromBase64, toBase64 } from "@/lib/records/server/encoding";
import type { PendingRequestsResponse } from "@/lib/emergency/schemas";
import { emergencyKeyOf, emergencyRequestCount, emergencyWindow, getEmergencyRequest, hasApprovedEmergency, type EmergencyRequestOnChain } from "./chain";

type Hex = `0x${string}`;

/** How many of the newest requests the administrators' list looks at. */
const PENDING_LOOKBACK = 200n;

export const blockTime = async (block: bigint) => chainRead(async () => Number((await getServerWeb3().eth.getBlock(block, false)).timestamp));

/**
 * Pending requests an administrator can act on (newest first): pending on chain, younger than the window by
 * the chain's clock, made on the patient's live key version. Each with the doctor's registry entry, the
 * caller's own sealed share of that patient's key and the doctor's note sealed for the caller.
 */
export async function pendingRequests(admin: Hex): Promise<PendingRequestsResponse> {
  const block = await latestBlockNumber();
  const [count, window, now] = await Promise.all([emergencyRequestCount(block), emergencyWindow(block), blockTime(block)]);
  const ids: bigint[] = [];
  for (let id = count; id >= 1n && id > count - PENDING_LOOKBACK; id--) ids.push(id);
  const all = await Promise.all(ids.map((id) => getEmergencyRequest(id, block)));
  const open = all.filter((request): request is EmergencyRequestOnChain => request !== undefined && request.state === "pending" && request.requestedAt + window > now);
  const live = await Promise.all(open.map(async (request) => (await emergencyKeyOf(request.patient, block)).version === request.keyVersion));
  const requests = open.filter((_, i) => live[i]);
  const [doctors, approved, shares, notes] = await Promise.all([
    Promise.all(requests.map((request) => doctorOf(request.doctor))),
    Promise.all(requests.map((request) => hasApprovedEmergency(request.requestId, admin, block))),
    findSharesOfAdmin(admin, requests.map((request) => ({ patient: request.patient, keyVersion: request.keyVersion }))),
    findNotes(admin, requests.map((request) => request.requestId)),
  ]);
  return {
    requests: requests.map((request, i) => {
      const share = shares.get(`${request.patient}:${request.keyVersion}`);
      const note = notes.get(request.requestId.toString());
      return {
        requestId: request.requestId.toString(),
        doctor: request.doctor,
        doctorName: doctors[i]?.name ?? "",
        doctorSpecialty: doctors[i]?.specialty ?? "",
        doctorKey: doctors[i]?.encryptionKey ?? (`0x${"0".repeat(64)}` as Hex),
        patient: request.patient,
        reasonCode: request.reasonCode,
        requestedAt: request.requestedAt,
        approvals: request.approvals,
        threshold: request.threshold,
        keyVersion: request.keyVersion,
        approvedByMe: approved[i]!,
        ownRequest: request.doctor === admin,
        sealedShare: share ? toBase64(share) : null,
        sealedNote: note ? toBase64(note) : null,
      };
    }),
  };
}

const noSuchRequest = () => new ApiError("forbidden", "You cannot release a share for this request.");

/**
 * Stores the caller's share re-sealed for the requesting doctor, before they sign approveEmergencyAccess.
 * Unknown request, the caller's own request, or no share of the caller for the patient's live key: the same
 * 403. A request that is no longer pending (or is expired), or one this administrator has approved on chain
 * already (the released share is final): 409.
 */
export async function storeReleasedShare(admin: Hex, requestId: bigint, sealedShare: string): Promise<{ stored: number }> {
  const request = await getEmergencyRequest(requestId);
  if (!request || request.doctor === admin || !(await hasShare(admin, request.patient, request.keyVersion))) throw noSuchRequest();
  const [window, now, key] = await Promise.all([emergencyWindow(), latestBlockNumber().then(blockTime), emergencyKeyOf(request.patient)]);
  if (request.state !== "pending" || request.requestedAt + window <= now || key.version !== request.keyVersion) {
    throw new ApiError("conflict", "This request is no longer pending.");
  }
  // Once the chain has this administrator's approval, the share released with it is final: replacing it
  // would let an approver swap what the doctor receives after the fact.
  if (await hasApprovedEmergency(requestId, admin)) throw new ApiError("conflict", "You have approved this request; the share you released cannot be replaced.");
  await putReleasedShare(requestId, admin, fromBase64(sealedShare));
  return { stored: 1 };
}

/** Withdraws the caller's released share when their approval is not on chain (a failed approval); 409 once it is. */
export async function withdrawReleasedShare(admin: Hex, requestId: bigint): Promise<{ deleted: number }> {
  const request = await getEmergencyRequest(requestId);
  if (!request || request.doctor === admin) throw noSuchRequest();
  if (await hasApprovedEmergency(requestId, admin)) throw new ApiError("conflict", "Your approval is on chain; its share stays with the doctor.");
  return { deleted: await deleteReleasedShare(requestId, admin) };
}
