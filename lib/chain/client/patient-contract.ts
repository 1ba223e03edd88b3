import { patientContractAbi } from "@/lib/chain/generated/contracts";
import type { BrowserChain } from "./contracts";
import { newRecordIdIn, sendFromAccount } from "./send";
import type { TxStatus } from "./transactor";

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
  return sendFromAccount(chain, chain.contracts.patient.methods.registerPatient(publicKeyHex), onStatus);
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
  const receipt = await sendFromAccount(chain, chain.contracts.patient.methods.addRecord(patient, cidDigest, codec), onStatus);
  return newRecordIdIn(receipt, chain.contracts.patient.options.address, patientContractAbi, "RecordAdded", "recordId");
}

export async function recordCount({ contracts }: BrowserChain, patient: string): Promise<bigint> {
  return BigInt(await contracts.patient.methods.recordCount(patient).call());
}

/** Every record of a patient, newest first, read in pages. */
export async function getAllRecords(chain: BrowserChain, patient: string): Promise<ChainRecord[]> {
  const count = await recordCount(chain, patient);
  return (await getRecordsPage(chain, patient, 0, Number(count))).reverse();
}

/** The patient's records at indexes [offset, offset + limit), oldest first, read in chain pages of 100. */
export async function getRecordsPage(chain: BrowserChain, patient: string, offset: number, limit: number): Promise<ChainRecord[]> {
  const records: ChainRecord[] = [];
  const end = BigInt(offset + limit);
  for (let from = BigInt(offset); from < end; from += PAGE_SIZE) {
    const size = end - from < PAGE_SIZE ? end - from : PAGE_SIZE;
    const page = (await chain.contracts.patient.methods.getRecords(patient, from, size).call()) as unknown as Array<{
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
    if (BigInt(page.length) < size) break; // the chain has fewer than asked
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------------
// Sharing: grants, revocations and the access log. Each write goes through the one transactor; a ChainError
// with `mayBeOnChain` false means the transaction certainly changed nothing.
// ---------------------------------------------------------------------------------------------------------

/** Unix seconds, 0 for "no expiry". */
type Expiry = bigint | number;

const uint = (value: string | bigint | number) => BigInt(value);

/** Grants `doctor` several of the caller's records until `expiresAt` (0 = never). */
export function grantAccess(chain: BrowserChain, doctor: string, recordIds: readonly string[], expiresAt: Expiry, onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.grantAccess(doctor, recordIds.map(uint), uint(expiresAt)), onStatus);
}

/** Grants `doctor` one of the caller's records (cheaper than grantAccess with one id). */
export function grantRecordAccess(chain: BrowserChain, doctor: string, recordId: string, expiresAt: Expiry, onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.grantRecordAccess(doctor, uint(recordId), uint(expiresAt)), onStatus);
}

/** Grants `doctor` all the caller's records, including future ones; replaces an earlier all-records grant and its exclusions. */
export function grantAllAccess(chain: BrowserChain, doctor: string, expiresAt: Expiry, onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.grantAllAccess(doctor, uint(expiresAt)), onStatus);
}

/** Changes the expiry of the caller's existing all-records grant to `doctor`, keeping the records excluded from it. */
export function updateAllAccessExpiry(chain: BrowserChain, doctor: string, expiresAt: Expiry, onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.updateAllAccessExpiry(doctor, uint(expiresAt)), onStatus);
}

/** Revokes `doctor`'s access to some of the caller's records (excluding them from an all-records grant too). */
export function revokeAccess(chain: BrowserChain, doctor: string, recordIds: readonly string[], onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.revokeAccess(doctor, recordIds.map(uint)), onStatus);
}

/** Revokes every grant `doctor` holds from the caller, per-record and all-records. */
export function revokeAllAccess(chain: BrowserChain, doctor: string, onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.revokeAllAccess(doctor), onStatus);
}

/** Records on chain that the caller opens `recordId` (a doctor does so before the server releases its key). */
export function logAccess(chain: BrowserChain, recordId: string, onStatus?: (status: TxStatus) => void) {
  return sendFromAccount(chain, chain.contracts.patient.methods.logAccess(uint(recordId)), onStatus);
}

/** What a doctor holds on one record (PatientContract getGrants). expiresAt: unix seconds, 0 = never. */
export interface RecordGrantOnChain {
  recordId: string;
  granted: boolean;
  allRecords: boolean;
  expiresAt: number;
  readable: boolean;
}

/** The all-records grant `doctor` holds from `patient` (granted may be true and expired). */
export async function getAllAccess({ contracts }: BrowserChain, patient: string, doctor: string): Promise<{ granted: boolean; expiresAt: number }> {
  const result = (await contracts.patient.methods.getAllAccess(patient, doctor).call()) as unknown as Record<string, unknown>;
  return { granted: Boolean(result.granted ?? result[0]), expiresAt: Number(result.expiresAt ?? result[1]) };
}

/** What `doctor` holds on each record of `patient`, in record order, read in pages. */
export async function getGrants(chain: BrowserChain, patient: string, doctor: string): Promise<RecordGrantOnChain[]> {
  const count = await recordCount(chain, patient);
  const grants: RecordGrantOnChain[] = [];
  for (let offset = 0n; offset < count; offset += PAGE_SIZE) {
    const page = (await chain.contracts.patient.methods.getGrants(patient, doctor, offset, PAGE_SIZE).call()) as unknown as Array<{
      recordId: bigint;
      granted: boolean;
      allRecords: boolean;
      expiresAt: bigint;
      readable: boolean;
    }>;
    for (const grant of page) {
      grants.push({
        recordId: BigInt(grant.recordId).toString(),
        granted: Boolean(grant.granted),
        allRecords: Boolean(grant.allRecords),
        expiresAt: Number(grant.expiresAt),
        readable: Boolean(grant.readable),
      });
    }
  }
  return grants;
}

/** Every doctor `patient` ever gave an all-records grant (AllAccessGranted events; the grant may be over since). */
export async function allAccessGrantees({ contracts }: BrowserChain, patient: string): Promise<string[]> {
  const events = await contracts.patient.getPastEvents("AllAccessGranted", { filter: { patient }, fromBlock: 0, toBlock: "latest" });
  const doctors = new Set<string>();
  for (const event of events) {
    if (typeof event === "string") continue;
    const doctor = (event.returnValues as Record<string, unknown>).doctor;
    if (typeof doctor === "string") doctors.add(doctor.toLowerCase());
  }
  return [...doctors];
}
