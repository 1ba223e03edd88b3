import { emergencyKeyOnChain, type EmergencyKeyOnChain } from "@/lib/chain/emergency-shape";
import type { BrowserChain } from "@/lib/chain/client";

/*
 * DoctorContract's emergency functions as the emergency use cases call them: the wrappers in
 * lib/chain/client/doctor-contract.ts (the contract helper's module), plus the two reads they need in another
 * shape: the patient's key with its version even when not opted in (an opt-in after an opt-out must use
 * version + 1), and every administrator with a key.
 */
export {
  adminEncryptionKeyOf,
  approveEmergencyAccess,
  clearEmergencyKey,
  emergencyAccessOf,
  emergencyThreshold,
  emergencyWindow,
  getAdmins,
  getEmergencyRequest,
  hasEmergencyAccess,
  refuseEmergencyAccess,
  requestEmergencyAccess,
  setAdminEncryptionKey,
  setEmergencyKey,
  type EmergencyRequestOnChain as EmergencyRequestView,
} from "@/lib/chain/client";
import { adminEncryptionKeyOf, getAdmins } from "@/lib/chain/client";

/** Every administrator with an encryption key on chain, with that key (0x + 64 hex). */
export async function adminsWithKeys(chain: BrowserChain): Promise<{ admin: string; key: string }[]> {
  const admins = await getAdmins(chain);
  const keys = await Promise.all(admins.map((admin) => adminEncryptionKeyOf(chain, admin)));
  return admins.flatMap((admin, i) => (keys[i] ? [{ admin, key: keys[i]! }] : []));
}

/** The patient's emergency key (undefined when not opted in), its threshold and its version (which moves on at every change). */
export async function emergencyKeyOf(chain: BrowserChain, patient: string): Promise<EmergencyKeyOnChain> {
  return emergencyKeyOnChain((await chain.contracts.doctor.methods.emergencyKeyOf(patient).call()) as unknown as Record<string, unknown>);
}
