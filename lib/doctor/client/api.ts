import { doctorPatientsResponseSchema } from "@/lib/api/schemas";
import { requestJson } from "@/lib/api/client/http";

/** Every patient who granted the signed-in doctor anything, with the records currently covered (GET /api/doctor/patients). */
export const getMyPatients = () => requestJson(doctorPatientsResponseSchema, "/api/doctor/patients", { cache: "no-store" });
