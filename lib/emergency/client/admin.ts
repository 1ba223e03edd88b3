import { ChainError, getDoctor, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { base64ToBytes, bytesToBase64, publicKeyFromHex } from "@/lib/crypto";
import type { UnlockedKey } from "@/lib/keystore";
import type { PendingRequest } from "@/lib/emergency/schemas";
import * as api from "./api";
import { adminEncryptionKeyOf, approveEmergencyAccess, refuseEmergencyAccess, setAdminEncryptionKey } from "./chain";
import { openNote } from "../note";
import { openBytes, sealBytes } from "../seal";
import { EmergencyError } from "./patient";

/** A pending request with the doctor's note opened in this browser (undefined: none; null: could not be opened). */
export type PendingRequestView = PendingRequest & { note: string | null | undefined };

export async function loadPendingRequests(key: UnlockedKey): Promise<PendingRequestView[]> {
  const { requests } = await api.getPendingRequests();
  return requests.map((request) => {
    let note: string | null | undefined;
    if (request.sealedNote) {
      try {
        note = openNote(request.sealedNote, key.secretKey);
      } catch {
        note = null;
      }
    }
    return { ...request, note };
  });
}

/** The administrator's encryption key on chain (0x + 64 hex), or undefined. */
export const adminKeyOnChain = (chain: BrowserChain) => adminEncryptionKeyOf(chain, chain.account);

/** Publishes the unlocked key as this administrator's encryption key (DoctorContract.setAdminEncryptionKey). */
export const publishAdminKey = (chain: BrowserChain, key: UnlockedKey, onStatus?: (tx: TxStatus) => void) => setAdminEncryptionKey(chain, key.publicKeyHex, onStatus);

export type ApproveProgress = { step: "check" } | { step: "reseal" } | { step: "store" } | { step: "sign"; tx: TxStatus } | { step: "cleanup" } | { step: "done" };

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");

/**
 * Approving: 1. the requesting doctor must be active with a key on chain (the key is taken from the chain, never
 * from the server) -> 2. open this administrator's share and re-seal it for that key -> 3. store it -> 4. sign
 * approveEmergencyAccess. If the transaction certainly failed, the stored share is withdrawn.
 */
export async function approveRequest(chain: BrowserChain, key: UnlockedKey, request: PendingRequest, onProgress: (progress: ApproveProgress) => void): Promise<void> {
  // 1. The doctor's key, from the chain.
  onProgress({ step: "check" });
  if (!request.sealedShare) throw new EmergencyError("You hold no share of this patient's emergency key (it was made before your key was published), so you cannot approve.");
  const doctor = await getDoctor(chain, request.doctor);
  if (!doctor?.active || !doctor.encryptionKey) throw new EmergencyError("The requesting doctor is not an active doctor with a published key.");

  // 2. Open the share and re-seal it for the doctor.
  onProgress({ step: "reseal" });
  let share: Uint8Array;
  try {
    share = openBytes(base64ToBytes(request.sealedShare), key.secretKey);
  } catch (error) {
    throw new EmergencyError("Your share of this patient's emergency key does not open with your key.", error);
  }
  let sealed: string;
  try {
    sealed = bytesToBase64(sealBytes(share, publicKeyFromHex(doctor.encryptionKey)));
  } finally {
    share.fill(0);
  }

  // 3. Store it for the doctor (served to them only once this approval is on chain).
  onProgress({ step: "store" });
  try {
    await api.putReleasedShare(request.requestId, sealed);
  } catch (error) {
    throw new EmergencyError(`Your share could not be stored for the doctor: ${reasonOf(error)}. Nothing was approved.`, error);
  }

  // 4. Approve on chain.
  try {
    await approveEmergencyAccess(chain, request.requestId, (tx) => onProgress({ step: "sign", tx }));
  } catch (error) {
    const reason = error instanceof ChainError ? error.message.replace(/\.$/, "") : `The transaction failed (${reasonOf(error)})`;
    if (error instanceof ChainError && !error.mayBeOnChain) {
      onProgress({ step: "cleanup" });
      await api.deleteReleasedShare(request.requestId).catch(() => undefined);
      throw new EmergencyError(`${reason}. Nothing was approved.`, error);
    }
    throw new EmergencyError(`${reason}. The approval may still be recorded; reload in a minute.`, error);
  }
  onProgress({ step: "done" });
}

export const refuseRequest = (chain: BrowserChain, requestId: string, onStatus?: (tx: TxStatus) => void) => refuseEmergencyAccess(chain, requestId, onStatus);
