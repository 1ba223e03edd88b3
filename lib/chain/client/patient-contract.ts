import { eth } from "web3";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import type { BrowserChain } from "./contracts";
import { ChainError } from "./errors";
import { transact, type ReceiptSource, type SendableMethod, type TxReceipt, type TxStatus } from "./transactor";

const ZERO_KEY = `0x${"0".repeat(64)}`;
const PAGE_SIZE = 100n;

/** A record as the chain knows it. Ids are decimal strings (uint256 = patient << 96 | index). */
export interface ChainRecord {
  recordId: string;
  index: number;
  author: string;
  cidDigest: string;
  codec: number;
  supersededBy: string;
}

const asMethod = (method: unknown) => method as SendableMethod;

/** Receipts straight from the node behind the wallet (used when the wallet's own wait fails after the hash). */
const receiptsOf = ({ web3 }: BrowserChain): ReceiptSource => ({
  getTransactionReceipt: (hash) => web3.eth.getTransactionReceipt(hash) as Promise<unknown>,
});

const recordAddedAbi = patientContractAbi.find((entry) => entry.type === "event" && entry.name === "RecordAdded") as unknown as {
  name: string;
  inputs: { name: string; type: string; indexed: boolean }[];
};
const recordAddedTopic = eth.abi.encodeEventSignature(`${recordAddedAbi.name}(${recordAddedAbi.inputs.map((input) => input.type).join(",")})`).toLowerCase();

const hexOf = (value: string | Uint8Array): string =>
  typeof value === "string" ? value.toLowerCase() : `0x${Array.from(value, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;

/** The RecordAdded record id: from web3's decoded events, else decoded from the raw logs of a polled receipt. */
function recordIdFromReceipt(chain: BrowserChain, receipt: TxReceipt): string | undefined {
  const decoded = receipt.events?.RecordAdded?.returnValues.recordId;
  if (decoded !== undefined) return BigInt(decoded as bigint | string).toString();
  const contract = String(chain.contracts.patient.options.address ?? "").toLowerCase();
  for (const log of receipt.logs ?? []) {
    const topics = (log.topics ?? []).map(hexOf);
    if (topics[0] !== recordAddedTopic || (log.address && log.address.toLowerCase() !== contract)) continue;
    const values = eth.abi.decodeLog(recordAddedAbi.inputs, hexOf(log.data ?? "0x"), topics.slice(1));
    return BigInt(values.recordId as bigint | string).toString();
  }
  return undefined;
}

export async function isPatient({ contracts }: BrowserChain, address: string): Promise<boolean> {
  return Boolean(await contracts.patient.methods.isPatient(address).call());
}

/** The patient's X25519 public key on chain (0x + 64 hex, lower case), or undefined if not registered. */
export async function encryptionKeyOf(chain: BrowserChain, address: string): Promise<string | undefined> {
  // The contract reverts (PatientContractNotRegistered) for an address that is not a patient.
  if (!(await isPatient(chain, address))) return undefined;
  const { contracts } = chain;
  const key = String(await contracts.patient.methods.encryptionKeyOf(address).call()).toLowerCase();
  return key === ZERO_KEY ? undefined : key;
}

export function registerPatient(chain: BrowserChain, publicKeyHex: string, onStatus?: (status: TxStatus) => void) {
  return transact(asMethod(chain.contracts.patient.methods.registerPatient(publicKeyHex)), chain.account, onStatus, { receipts: receiptsOf(chain) });
}

/**
 * Adds a record and returns its id from the RecordAdded event. A ChainError with `mayBeOnChain` false means
 * nothing was recorded; otherwise the record may exist (or appear) on chain.
 */
export async function addRecord(
  chain: BrowserChain,
  patient: string,
  cidDigest: string,
  codec: number,
  onStatus?: (status: TxStatus) => void,
): Promise<string> {
  const receipt = await transact(asMethod(chain.contracts.patient.methods.addRecord(patient, cidDigest, codec)), chain.account, onStatus, { receipts: receiptsOf(chain) });
  const recordId = recordIdFromReceipt(chain, receipt);
  const hash = typeof receipt.transactionHash === "string" ? receipt.transactionHash : undefined;
  if (recordId === undefined) throw new ChainError("The transaction did not report the new record", "failed", undefined, { mayBeOnChain: true, txHash: hash });
  return recordId;
}

export async function recordCount({ contracts }: BrowserChain, patient: string): Promise<bigint> {
  return BigInt(await contracts.patient.methods.recordCount(patient).call());
}

/** Every record of a patient, newest first, read in pages. */
export async function getAllRecords(chain: BrowserChain, patient: string): Promise<ChainRecord[]> {
  const count = await recordCount(chain, patient);
  const records: ChainRecord[] = [];
  for (let offset = 0n; offset < count; offset += PAGE_SIZE) {
    const page = (await chain.contracts.patient.methods.getRecords(patient, offset, PAGE_SIZE).call()) as unknown as Array<{
      recordId: bigint;
      index: bigint;
      author: string;
      cidDigest: string;
      codec: bigint;
      supersededBy: bigint;
    }>;
    for (const record of page) {
      records.push({
        recordId: BigInt(record.recordId).toString(),
        index: Number(record.index),
        author: String(record.author).toLowerCase(),
        cidDigest: String(record.cidDigest),
        codec: Number(record.codec),
        supersededBy: BigInt(record.supersededBy).toString(),
      });
    }
  }
  return records.reverse();
}
