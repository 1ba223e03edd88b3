import { adminOverviewResponseSchema, licenceSaltResponseSchema } from "@/lib/api/schemas";
import { requestJson, requestJsonOrNull, sendJson } from "@/lib/api/client/http";

/** Counts for the admin overview (chain views and events, read by the server). */
export const getOverview = () => requestJson(adminOverviewResponseSchema, "/api/admin/overview", { cache: "no-store" });

/** Stores (upserts) a doctor's licence salt; done before registerDoctor is signed. */
export const putLicenceSalt = (address: string, salt: string) =>
  requestJson(licenceSaltResponseSchema, `/api/admin/licence-salts/${address.toLowerCase()}`, sendJson("PUT", { salt }));

/** A doctor's licence salt, or null when none is stored. */
export const getLicenceSalt = (address: string) =>
  requestJsonOrNull(licenceSaltResponseSchema, `/api/admin/licence-salts/${address.toLowerCase()}`, { cache: "no-store" });
