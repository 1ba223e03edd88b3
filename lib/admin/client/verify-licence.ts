import { getDoctor, type BrowserChain } from "@/lib/chain/client";
import * as api from "./api";
import { licenceHash } from "./licence";

export type LicenceCheck =
  | { result: "match" }
  | { result: "mismatch" }
  | { result: "no-salt" }
  | { result: "not-a-doctor" };

/** Whether `licenceNumber` is the one registered for `doctor`: the stored salt, hashed with it, against the chain's hash. */
export async function verifyLicence(chain: BrowserChain, doctor: string, licenceNumber: string): Promise<LicenceCheck> {
  const entry = await getDoctor(chain, doctor);
  if (!entry) return { result: "not-a-doctor" };
  const stored = await api.getLicenceSalt(doctor);
  if (!stored) return { result: "no-salt" };
  return licenceHash(stored.salt, licenceNumber) === entry.licenceHash ? { result: "match" } : { result: "mismatch" };
}
