import "server-only";
import { ApiError } from "@/lib/api";
import type { LicenceSaltResponse } from "@/lib/api/schemas";
import { findLicenceSalt, upsertLicenceSalt } from "@/lib/db/repositories/licence-salts";

type Hex = `0x${string}`;

/**
 * Stores the salt of a doctor's licence hash (sha256(salt || licence number) goes on chain with registerDoctor),
 * before the administrator signs the registration; a new salt replaces the old one.
 */
export async function putLicenceSalt(admin: Hex, doctor: Hex, salt: Hex): Promise<LicenceSaltResponse> {
  await upsertLicenceSalt(doctor, Buffer.from(salt.slice(2), "hex"), admin);
  return { address: doctor, salt };
}

/** The stored salt of a doctor's licence hash, 404 when none. */
export async function getLicenceSalt(doctor: Hex): Promise<LicenceSaltResponse> {
  const salt = await findLicenceSalt(doctor);
  if (!salt) throw new ApiError("not_found", `No licence salt is stored for ${doctor}.`);
  return { address: doctor, salt: `0x${Buffer.from(salt).toString("hex")}` };
}
