import "server-only";
import { doctorOf } from "@/lib/chain/server/doctors";
import { accessEvents } from "@/lib/chain/server/events";
import { latestBlockNumber } from "@/lib/chain/server/reads";
import { findNotes } from "@/lib/db/repositories/emergency";
import { toBase64 } from "@/lib/records/server/encoding";
import type { EmergencyLogResponse, EmergencyState } from "@/lib/emergency/schemas";
import { emergencyLogs, emergencyWindow, getEmergencyRequest } from "./chain";
import { blockTime } from "./requests";

type Hex = `0x${string}`;
const lower = (value: unknown) => String(value).toLowerCase() as Hex;

/**
 * Every emergency request on the patient's records, newest first: the doctor (registry entry), the reason code,
 * the state (a pending request older than the window reads "expired"), who approved or refused, the window,
 * and the doctor's RecordAccessed openings of the patient's records from the request to the window's end.
 */
export async function emergencyLog(patient: Hex): Promise<EmergencyLogResponse> {
  const requested = await emergencyLogs("EmergencyAccessRequested", [undefined, undefined, patient]);
  if (requested.length === 0) return { entries: [] };
  const block = await latestBlockNumber();
  const [window, now] = await Promise.all([emergencyWindow(block), blockTime(block)]);
  const ids = requested.map((log) => BigInt(log.args.requestId as bigint)).reverse();
  const notes = await findNotes(patient, ids);
  const entries = await Promise.all(
    ids.map(async (requestId) => {
      const [request, approvals, refusals] = await Promise.all([
        getEmergencyRequest(requestId, block),
        emergencyLogs("EmergencyAccessApproved", [requestId]),
        emergencyLogs("EmergencyAccessRefused", [requestId]),
      ]);
      if (!request) return undefined;
      const [doctor, openings] = await Promise.all([
        doctorOf(request.doctor),
        request.state === "approved" ? accessEvents({ patient, doctor: request.doctor }) : Promise.resolve([]),
      ]);
      const state: EmergencyState = request.state === "pending" && request.requestedAt + window <= now ? "expired" : request.state;
      const note = notes.get(requestId.toString());
      return {
        requestId: requestId.toString(),
        doctor: request.doctor,
        doctorName: doctor?.name ?? "",
        doctorSpecialty: doctor?.specialty ?? "",
        reasonCode: request.reasonCode,
        state,
        requestedAt: request.requestedAt,
        grantedUntil: request.grantedUntil,
        keyVersion: request.keyVersion,
        approvers: approvals.map((log) => lower(log.args.admin)),
        refusedBy: refusals[0] ? lower(refusals[0].args.admin) : null,
        openings: openings
          .filter((event) => event.time >= request.requestedAt && event.time <= request.grantedUntil)
          .map((event) => ({ recordId: event.recordId.toString(), time: event.time, txHash: event.log.txHash })),
        sealedNote: note ? toBase64(note) : null,
      };
    }),
  );
  return { entries: entries.filter((entry) => entry !== undefined) };
}
