import { getDoctor, type BrowserChain, type DoctorOnChain } from "@/lib/chain/client";
import { publicKeyFromHex } from "@/lib/crypto";
import { getPublicKey } from "@/lib/records/client/api";

/** Why a doctor cannot be given a key (each with a message a patient can act on). */
export type DoctorKeyProblem = "not_registered" | "inactive" | "no_key" | "not_in_key_store" | "mismatch";

export type DoctorKeyCheck =
  | { ok: true; doctor: DoctorOnChain; publicKey: Uint8Array }
  | { ok: false; address: string; doctor?: DoctorOnChain; problem: DoctorKeyProblem; message: string };

/** "Dr Grey (Cardiology)" or the address. */
export const doctorLabel = (doctor: { name: string; specialty: string } | undefined, address: string) =>
  doctor ? `${doctor.name}${doctor.specialty ? ` (${doctor.specialty})` : ""}` : address;

/**
 * The public key to wrap data keys for `address`, only when the key store's copy equals the key published on
 * chain by an active doctor. The key store is not trusted with this: a swapped key would let whoever holds
 * its secret read what the patient shares, so a mismatch is reported, never wrapped for.
 */
export async function checkDoctorKey(chain: BrowserChain, address: string): Promise<DoctorKeyCheck> {
  const lower = address.toLowerCase();
  const doctor = await getDoctor(chain, lower);
  if (!doctor) return { ok: false, address: lower, problem: "not_registered", message: `${lower} is not a registered doctor.` };
  const label = doctorLabel(doctor, lower);
  if (!doctor.active) return { ok: false, address: lower, doctor, problem: "inactive", message: `${label} is deactivated and cannot be given access.` };
  if (!doctor.encryptionKey) {
    return { ok: false, address: lower, doctor, problem: "no_key", message: `${label} has not created an encryption key yet, so nothing can be shared with them.` };
  }
  const stored = await getPublicKey(lower);
  if (!stored) {
    return { ok: false, address: lower, doctor, problem: "not_in_key_store", message: `The key store has no key for ${label} yet, so nothing can be shared with them.` };
  }
  if (stored.publicKey.toLowerCase() !== doctor.encryptionKey) {
    return {
      ok: false,
      address: lower,
      doctor,
      problem: "mismatch",
      message:
        `The key the key store gives for ${label} is not the key published on chain. Nothing was shared with this doctor: ` +
        "the key store may have been tampered with. Tell the doctor or the hospital's administrator.",
    };
  }
  return { ok: true, doctor, publicKey: publicKeyFromHex(doctor.encryptionKey) };
}
