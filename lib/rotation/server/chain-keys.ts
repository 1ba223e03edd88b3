import "server-only";
import { doctorOf } from "@/lib/chain/server/doctors";
import { patientEncryptionKey } from "@/lib/chain/server/reads";

type Hex = `0x${string}`;
const ZERO = /^0x0{64}$/;

/** The encryption keys the chain holds for `address` now, per role (lower-case hex; absent = none). */
export async function chainKeysOf(address: string): Promise<{ patient?: Hex; doctor?: Hex }> {
  const [patient, doctor] = await Promise.all([patientEncryptionKey(address), doctorOf(address)]);
  const keep = (key: string | undefined) => (key && !ZERO.test(key) ? (key.toLowerCase() as Hex) : undefined);
  return { patient: keep(patient), doctor: keep(doctor?.encryptionKey) };
}

/** True when some role holds `key` on chain. */
export const chainHolds = (keys: { patient?: Hex; doctor?: Hex }, key: string) => keys.patient === key.toLowerCase() || keys.doctor === key.toLowerCase();
