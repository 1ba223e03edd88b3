import "server-only";
import { ApiError } from "@/lib/api";
import type { AccessRequest } from "@/lib/access-requests/schemas";
import { doctorOf, type DoctorOnChain } from "@/lib/chain/server/doctors";
import { latestBlockNumber } from "@/lib/chain/server/reads";
import { decideAccessRequest, findAccessRequest, type AccessRequestRow } from "@/lib/db/repositories/access-requests";
import { isUnexpired, serverNowSeconds } from "@/lib/sharing/server/all-records-grant";
import { grantState } from "@/lib/sharing/server/grant-state";
import { notYourRequest, requestView } from "./view";

const STATUS_WORDS = { approved: "approved", declined: "declined", withdrawn: "withdrawn" } as const;

function assertPending(row: AccessRequestRow): void {
  if (row.status !== "pending") throw new ApiError("conflict", `This request was already ${STATUS_WORDS[row.status]}.`);
}

/** The patient's own request from a doctor still active on chain, else the one 403 for any id they may not act on. */
async function patientRequest(patient: string, id: string): Promise<{ row: AccessRequestRow; doctor: DoctorOnChain }> {
  const row = await findAccessRequest(id);
  if (!row || row.patient !== patient) throw notYourRequest();
  const doctor = await doctorOf(row.doctor);
  if (!doctor?.active) throw notYourRequest();
  return { row, doctor };
}

/** Marks the row; a request decided by someone else meanwhile is a 409 like an already decided one. */
async function decide(row: AccessRequestRow, status: "approved" | "declined" | "withdrawn"): Promise<AccessRequestRow> {
  const updated = await decideAccessRequest(row.id, status);
  if (!updated) assertPending((await findAccessRequest(row.id)) ?? row);
  return updated!;
}

/** Whether `doctor` holds, now, a live grant from `patient`: an unexpired all-records grant, or a record they may read. */
async function holdsLiveGrant(patient: string, doctor: string): Promise<boolean> {
  const now = serverNowSeconds();
  const state = await grantState(patient, doctor, await latestBlockNumber(), now);
  return Boolean(state.allRecords?.granted && isUnexpired(state.allRecords.expiresAt, now)) || state.records.some((record) => record.readable);
}

/**
 * The patient marks a pending request approved, after signing the grant: only when the chain holds a live
 * grant from them to that doctor (409 otherwise, with nothing changed). Someone else's, unknown, or an inactive
 * doctor's request: 403.
 */
export async function approveAccessRequest(patient: `0x${string}`, id: string): Promise<AccessRequest> {
  const { row, doctor } = await patientRequest(patient, id);
  assertPending(row);
  if (!(await holdsLiveGrant(patient, row.doctor))) {
    throw new ApiError("conflict", `${doctor.name} holds no live grant from you on chain yet. Sign the grant first; the request is marked approved once it is mined.`);
  }
  return requestView(await decide(row, "approved"), "patient", doctor);
}

/** The patient declines a pending request (403 as for approve; 409 when it is no longer pending). */
export async function declineAccessRequest(patient: `0x${string}`, id: string): Promise<AccessRequest> {
  const { row, doctor } = await patientRequest(patient, id);
  assertPending(row);
  return requestView(await decide(row, "declined"), "patient", doctor);
}

/** The doctor withdraws their own pending request (someone else's or an unknown id: 403; decided: 409). */
export async function withdrawAccessRequest(doctor: `0x${string}`, id: string): Promise<AccessRequest> {
  const row = await findAccessRequest(id);
  if (!row || row.doctor !== doctor) throw notYourRequest();
  assertPending(row);
  const entry = await doctorOf(doctor);
  return requestView(await decide(row, "withdrawn"), "doctor", { name: entry?.name ?? "", specialty: entry?.specialty ?? "" });
}
