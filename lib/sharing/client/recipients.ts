import { allAccessGrantees, getAllAccess, type BrowserChain } from "@/lib/chain/client";
import type { Recipient } from "@/lib/records/client/upload";
import { checkDoctorKey, doctorLabel } from "./doctor-key";

/** The key store accepts at most this many wrapped keys per upload (createUploadRequestSchema). */
const MAX_WRAPPED_KEYS = 16;

/** A doctor holding a live all-records grant whom this upload could not be wrapped for, and why. */
export interface SkippedRecipient {
  address: string;
  message: string;
}

const isLive = (grant: { granted: boolean; expiresAt: number }, now: number) => grant.granted && (grant.expiresAt === 0 || grant.expiresAt > now);

/**
 * Who else must be able to read a new record of `patient`: every doctor holding a live all-records grant from
 * them (AllAccessGranted events, then the current grant on chain), each with a key that the key store and the
 * chain agree on. A doctor whose key cannot be verified is skipped and reported, never wrapped for.
 * `exclude` lists readers the upload already covers (the uploader, the patient).
 */
export async function findUploadRecipients(
  chain: BrowserChain,
  patient: string,
  options: { exclude?: readonly string[]; now?: number } = {},
): Promise<{ recipients: Recipient[]; skipped: SkippedRecipient[] }> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const exclude = new Set([patient, ...(options.exclude ?? [])].map((address) => address.toLowerCase()));
  const candidates = (await allAccessGrantees(chain, patient)).filter((doctor) => !exclude.has(doctor));

  const recipients: Recipient[] = [];
  const skipped: SkippedRecipient[] = [];
  for (const address of candidates) {
    if (!isLive(await getAllAccess(chain, patient, address), now)) continue;
    const check = await checkDoctorKey(chain, address);
    if (!check.ok) {
      skipped.push({ address, message: check.message });
      continue;
    }
    if (recipients.length + exclude.size >= MAX_WRAPPED_KEYS) {
      skipped.push({ address, message: `Not shared with ${doctorLabel(check.doctor, address)}: a record can be wrapped for at most ${MAX_WRAPPED_KEYS} readers when it is uploaded. Share it with them from “Share” afterwards.` });
      continue;
    }
    recipients.push({ address, publicKey: check.publicKey });
  }
  return { recipients, skipped };
}
