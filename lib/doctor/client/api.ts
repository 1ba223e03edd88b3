import { doctorPatientsResponseSchema } from "@/lib/api/schemas";
import { requestJson } from "@/lib/api/client/http";

/**
 * One page of the patients who granted the signed-in doctor anything, most recent grant first, with the records
 * currently covered (GET /api/doctor/patients); `next` is the cursor of the following page, null on the last.
 */
export const getMyPatients = (page: { limit?: number; cursor?: string } = {}) => {
  const query = new URLSearchParams();
  if (page.limit !== undefined) query.set("limit", String(page.limit));
  if (page.cursor) query.set("cursor", page.cursor);
  const search = query.size > 0 ? `?${query}` : "";
  return requestJson(doctorPatientsResponseSchema, `/api/doctor/patients${search}`, { cache: "no-store" });
};
