import "server-only";
import type { DoctorsQuery, DoctorsResponse } from "@/lib/api/schemas";
import { DEFAULT_DOCTORS_PAGE } from "@/lib/api/schemas";
import { allDoctors } from "@/lib/chain/server/doctors";

/**
 * The doctors registry from DoctorContract, in registration order, filtered by `q` (case-insensitive, matched
 * against name, specialty and address) and cut to one page. Inactive doctors are listed with active false.
 */
export async function listDoctors(query: DoctorsQuery): Promise<DoctorsResponse> {
  const q = query.q?.trim().toLowerCase() ?? "";
  const offset = query.offset ?? 0;
  const limit = query.limit ?? DEFAULT_DOCTORS_PAGE;
  const matching = (await allDoctors()).filter((doctor) => !q || [doctor.name, doctor.specialty, doctor.address].some((text) => text.toLowerCase().includes(q)));
  return {
    total: matching.length,
    offset,
    doctors: matching.slice(offset, offset + limit).map((doctor) => ({
      address: doctor.address,
      name: doctor.name,
      specialty: doctor.specialty,
      active: doctor.active,
      hasKey: doctor.hasKey,
      encryptionKey: doctor.encryptionKey,
      registeredAt: doctor.registeredAt,
    })),
  };
}
