import { encryptionKeyOf, type BrowserChain } from "@/lib/chain/client";
import { ApiClientError } from "@/lib/api/client/http";
import { publicKeyFromHex } from "@/lib/crypto";
import type { UnlockedKey } from "@/lib/keystore";
import type { AccessRequest } from "@/lib/access-requests/schemas";
import type { RecordCategory } from "@/lib/records/client";
import { getPublicKey } from "@/lib/records/client/api";
import { createAccessRequest } from "./api";
import { MAX_REASON_LENGTH, sealReason } from "./reason";

/** A request that was not sent, with a message the doctor can act on. `open`: an open request already exists. */
export class AskError extends Error {
  override name = "AskError";
  constructor(
    message: string,
    readonly open = false,
  ) {
    super(message);
  }
}

export interface AskInput {
  patient: string;
  /** Empty = all records, including future ones. */
  categories: readonly RecordCategory[];
  allRecords: boolean;
  reason: string;
  /** Unix seconds, 0 = no expiry. */
  proposedExpiry: number;
}

/**
 * The patient's public key to seal the reason for: the one on chain. The key store's copy is not needed, but
 * when it differs from the chain's the request is refused (someone may have tampered with the key store).
 */
async function patientKey(chain: BrowserChain, patient: string): Promise<Uint8Array> {
  const onChain = await encryptionKeyOf(chain, patient);
  if (!onChain) throw new AskError(`${patient} is not a registered patient.`);
  const stored = await getPublicKey(patient).catch(() => null);
  if (stored && stored.publicKey.toLowerCase() !== onChain) {
    throw new AskError("The key the key store gives for this patient is not the key on chain. Nothing was sent: tell the hospital's administrator.");
  }
  return publicKeyFromHex(onChain);
}

/**
 * A doctor asks a patient for access: 1. check the input -> 2. read the patient's key from the chain (compared
 * with the key store's) -> 3. seal the reason in this browser for the patient and for the doctor -> 4. send
 * the request. The server never sees the reason in the clear; nothing is stored before step 4.
 */
export async function askForAccess(chain: BrowserChain, key: UnlockedKey, input: AskInput): Promise<AccessRequest> {
  // 1. The input.
  const patient = input.patient.trim().toLowerCase();
  const reason = input.reason.trim();
  if (!/^0x[0-9a-f]{40}$/.test(patient)) throw new AskError("Enter the patient's wallet address (0x followed by 40 hex digits).");
  if (patient === key.address.toLowerCase()) throw new AskError("You cannot ask yourself for access.");
  if (!input.allRecords && input.categories.length === 0) throw new AskError("Choose at least one category, or all records.");
  if (!reason) throw new AskError("Give a reason: the patient reads it before deciding.");
  if (reason.length > MAX_REASON_LENGTH) throw new AskError(`Keep the reason under ${MAX_REASON_LENGTH} characters.`);

  // 2. The patient's key, from the chain.
  const patientPublicKey = await patientKey(chain, patient);

  // 3. Sealed here, for the patient and for this doctor.
  const sealed = sealReason(reason, patientPublicKey, key.publicKey);

  // 4. Sent.
  try {
    return await createAccessRequest({
      patient: patient as `0x${string}`,
      allRecords: input.allRecords,
      categories: input.allRecords ? [] : [...input.categories],
      proposedExpiry: input.proposedExpiry,
      ...sealed,
    });
  } catch (error) {
    if (error instanceof ApiClientError && error.status === 409) throw new AskError(error.message, true);
    throw error;
  }
}
