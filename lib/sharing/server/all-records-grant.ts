import "server-only";
import { doctorStatus } from "@/lib/chain/server/doctors";
import { getAllAccess } from "@/lib/chain/server/reads";

/** The server's clock in unix seconds: grant expiries are judged by it, not by the chain's last block time. */
export const serverNowSeconds = (): number => Math.floor(Date.now() / 1000);

/** An expiry (unix seconds, 0 = never) still ahead of the server's clock. */
export const isUnexpired = (expiresAt: number, now = serverNowSeconds()): boolean => expiresAt === 0 || expiresAt > now;

/**
 * Whether `doctor` is an active doctor holding an all-records grant from `patient` that the chain has and
 * the server's clock has not expired: what lets a doctor add records for the patient, and what the key of
 * every later record must be wrapped for.
 */
export async function hasLiveAllAccess(patient: string, doctor: string, now = serverNowSeconds()): Promise<boolean> {
  const [status, access] = await Promise.all([doctorStatus(doctor), getAllAccess(patient, doctor)]);
  return status === "active" && access.granted && isUnexpired(access.expiresAt, now);
}
