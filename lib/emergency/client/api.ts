import { request, requestJson, sendJson } from "@/lib/api/client/http";
import { recordIdSchema } from "@/lib/api/schemas";
import {
  emergencyAccessResponseSchema,
  emergencyLogResponseSchema,
  emergencyRecordKeySchema,
  enrolmentResponseSchema,
  MAX_EMERGENCY_KEYS,
  pendingRequestsResponseSchema,
  storedCountSchema,
  type PutEnrolmentRequest,
  type PutNotesRequest,
} from "@/lib/emergency/schemas";
import { z } from "zod";

const id = (value: string) => encodeURIComponent(recordIdSchema.parse(value));

// --- patient ----------------------------------------------------------------------------------------------
export const getEnrolment = () => requestJson(enrolmentResponseSchema, "/api/emergency/enrolment", { cache: "no-store" });
export const putEnrolment = (body: PutEnrolmentRequest) => requestJson(z.strictObject({ keyVersion: z.number() }), "/api/emergency/enrolment", sendJson("PUT", body));

/** Stores wrapped keys MAX_EMERGENCY_KEYS at a time; returns how many were stored. */
export async function putEmergencyKeys(keyVersion: number, keys: readonly { recordId: string; wrappedKey: string }[]): Promise<number> {
  let stored = 0;
  for (let start = 0; start < keys.length; start += MAX_EMERGENCY_KEYS) {
    const page = await requestJson(storedCountSchema, "/api/emergency/keys", sendJson("PUT", { keyVersion, keys: keys.slice(start, start + MAX_EMERGENCY_KEYS) }));
    stored += page.stored;
  }
  return stored;
}

export const getEmergencyLog = () => requestJson(emergencyLogResponseSchema, "/api/emergency/log", { cache: "no-store" });

// --- administrators ---------------------------------------------------------------------------------------
export const getPendingRequests = () => requestJson(pendingRequestsResponseSchema, "/api/emergency/requests", { cache: "no-store" });
export const putReleasedShare = (requestId: string, sealedShare: string) => request(`/api/emergency/requests/${id(requestId)}/release`, sendJson("PUT", { sealedShare }));
export const deleteReleasedShare = (requestId: string) => request(`/api/emergency/requests/${id(requestId)}/release`, { method: "DELETE" });

// --- doctors ----------------------------------------------------------------------------------------------
export const putNotes = (requestId: string, body: PutNotesRequest) => request(`/api/emergency/requests/${id(requestId)}/notes`, sendJson("PUT", body));
export const getEmergencyAccess = (patient: string) => requestJson(emergencyAccessResponseSchema, `/api/emergency/patients/${encodeURIComponent(patient)}`, { cache: "no-store" });
export const getEmergencyRecordKey = (recordId: string) => requestJson(emergencyRecordKeySchema, `/api/emergency/records/${id(recordId)}/key`, { cache: "no-store" });
export const getEmergencyRecordContent = (recordId: string) => request(`/api/emergency/records/${id(recordId)}/content`, { cache: "no-store" });
