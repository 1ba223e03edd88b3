// The two chain writes this feature adds, through the one transactor: PatientContract.setEncryptionKey and
// PatientContract.amendRecord (DoctorContract.setEncryptionKey is lib/chain/client setDoctorEncryptionKey).
import { newRecordIdIn, sendFromAccount, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { patientContractAbi } from "@/lib/chain/generated/contracts";

/** Replaces the caller's patient encryption key on chain. */
export const setPatientEncryptionKey = (chain: BrowserChain, publicKeyHex: string, onStatus?: (status: TxStatus) => void) =>
  sendFromAccount(chain, chain.contracts.patient.methods.setEncryptionKey(publicKeyHex), onStatus);

/**
 * Amends `recordId` with a new file (its CID digest and codec); returns the new record id. A ChainError with
 * `mayBeOnChain` false means nothing changed on chain.
 */
export async function amendRecord(chain: BrowserChain, recordId: string, cidDigest: string, codec: number, onStatus?: (status: TxStatus) => void): Promise<string> {
  const receipt = await sendFromAccount(chain, chain.contracts.patient.methods.amendRecord(BigInt(recordId), cidDigest, codec), onStatus);
  return newRecordIdIn(receipt, chain.contracts.patient.options.address, patientContractAbi, "RecordAmended", "newRecordId");
}
