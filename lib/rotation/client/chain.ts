// The two chain writes this feature adds, through the one transactor: PatientContract.setEncryptionKey and
// PatientContract.amendRecord (DoctorContract.setEncryptionKey is lib/chain/client setDoctorEncryptionKey).
import { eth } from "web3";
import { ChainError, transact, type BrowserChain, type SendableMethod, type TxReceipt, type TxStatus } from "@/lib/chain/client";
import { patientContractAbi } from "@/lib/chain/generated/contracts";

const receiptsOf = ({ web3 }: BrowserChain) => ({ getTransactionReceipt: (hash: string) => web3.eth.getTransactionReceipt(hash) as Promise<unknown> });
const send = (chain: BrowserChain, method: unknown, onStatus?: (status: TxStatus) => void) =>
  transact(method as SendableMethod, chain.account, onStatus, { receipts: receiptsOf(chain) });

/** Replaces the caller's patient encryption key on chain. */
export const setPatientEncryptionKey = (chain: BrowserChain, publicKeyHex: string, onStatus?: (status: TxStatus) => void) =>
  send(chain, chain.contracts.patient.methods.setEncryptionKey(publicKeyHex), onStatus);

const amendedAbi = patientContractAbi.find((entry) => entry.type === "event" && entry.name === "RecordAmended") as unknown as {
  name: string;
  inputs: { name: string; type: string; indexed: boolean }[];
};
const amendedTopic = eth.abi.encodeEventSignature(`${amendedAbi.name}(${amendedAbi.inputs.map((input) => input.type).join(",")})`).toLowerCase();
const hexOf = (value: string | Uint8Array): string =>
  typeof value === "string" ? value.toLowerCase() : `0x${Array.from(value, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;

/** The new record id from RecordAmended: web3's decoded event, else the raw logs of a polled receipt. */
function newRecordIdOf(chain: BrowserChain, receipt: TxReceipt): string | undefined {
  const decoded = receipt.events?.RecordAmended?.returnValues.newRecordId;
  if (decoded !== undefined) return BigInt(decoded as bigint | string).toString();
  const contract = String(chain.contracts.patient.options.address ?? "").toLowerCase();
  for (const log of receipt.logs ?? []) {
    const topics = (log.topics ?? []).map(hexOf);
    if (topics[0] !== amendedTopic || (log.address && log.address.toLowerCase() !== contract)) continue;
    const values = eth.abi.decodeLog(amendedAbi.inputs, hexOf(log.data ?? "0x"), topics.slice(1));
    return BigInt(values.newRecordId as bigint | string).toString();
  }
  return undefined;
}

/**
 * Amends `recordId` with a new file (its CID digest and codec); returns the new record id. A ChainError with
 * `mayBeOnChain` false means nothing changed on chain.
 */
export async function amendRecord(chain: BrowserChain, recordId: string, cidDigest: string, codec: number, onStatus?: (status: TxStatus) => void): Promise<string> {
  const receipt = await send(chain, chain.contracts.patient.methods.amendRecord(BigInt(recordId), cidDigest, codec), onStatus);
  const newRecordId = newRecordIdOf(chain, receipt);
  const hash = typeof receipt.transactionHash === "string" ? receipt.transactionHash : undefined;
  if (newRecordId === undefined) throw new ChainError("The transaction did not report the new record", "failed", undefined, { mayBeOnChain: true, txHash: hash });
  return newRecordId;
}
