import { adminOverviewResponseSchema, doctorsResponseSchema, licenceSaltResponseSchema } from "@/lib/api/schemas";
import { requestJson, requestJsonOrNull, sendJson } from "@/lib/api/client/http";

/** Counts for the admin overview (chain views and events, read by the server). */
export const getOverview = () => requestJson(adminOverviewResponseSchema, "/api/admin/overview", { cache: "no-store" });

/** Stores (upserts) a doctor's licence salt; done before registerDoctor is signed. */
export const putLicenceSalt = (address: string, salt: string) =>
  requestJson(licenceSaltResponseSchema, `/api/admin/licence-salts/${address.toLowerCase()}`, sendJson("PUT", { salt }));

/** A doctor's licence salt, or null when none is stored. */
export const getLicenceSalt = (address: string) =>
  requestJsonOrNull(licenceSaltResponseSchema, `/api/admin/licence-salts/${address.toLowerCase()}`, { cache: "no-store" });

/** One page of the doctors registry, filtered by `q` (name, specialty or address). */
export function listDoctors({ q = "", offset = 0, limit = 20 }: { q?: string; offset?: number; limit?: number } = {}) {
  const params = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  if (q.trim()) params.set("q", q.trim());
  return requestJson(doctorsResponseSchema, `/api/doctors?${params.toString()}`, { cache: "no-store" });
}
