import "server-only";
import { chainRead } from "./chain-errors";
import { serverContracts } from "./contracts";
import { getServerWeb3 } from "./web3";

export type Hex = `0x${string}`;

const INDEX_BITS = 96n;
const INDEX_MASK = (1n << INDEX_BITS) - 1n;
/** getGrants and getDoctors pages: the contracts clamp `limit`, this keeps each eth_call small. */
export const CHAIN_PAGE_SIZE = 100n;

/** A block to read at: "latest", or a number fixed once so that several reads see the same state. */
export type BlockTag = bigint | "latest";

const lower = (value: unknown) => String(value).toLowerCase() as Hex;

/** The patient a record id belongs to: its top 160 bits, as a lowercase address. */
export function patientOfRecord(recordId: bigint | string): Hex {
  return `0x${(BigInt(recordId) >> INDEX_BITS).toString(16).padStart(40, "0")}`;
}

/** A record's position among its patient's records: its low 96 bits. */
export const indexOfRecord = (recordId: bigint | string): bigint => BigInt(recordId) & INDEX_MASK;

/** The lowest record id of a patient, and the lowest of the next address (exclusive bound). */
export function recordIdRange(patient: string): { from: bigint; to: bigint } {
  const from = BigInt(patient) << INDEX_BITS;
  return { from, to: from + (1n << INDEX_BITS) };
}

/*
 * At most one eth_blockNumber in flight per process. A caller arriving while one is in flight waits for the
 * next, sent as soon as that one answers and shared by everyone who arrived meanwhile: every answer still
 * comes from a request sent after the call, so it is as new as if the caller had asked alone, but a thousand
 * key requests a second cost one node round trip at a time, not a thousand.
 */
let blockNumberInFlight: Promise<bigint> | undefined;
let blockNumberNext: Promise<bigint> | undefined;

function sendBlockNumber(): Promise<bigint> {
  // Straight through the request manager: web3.eth.getBlockNumber's validation and formatting cost more CPU
  // than the round trip itself, on the path of every key request.
  const sent = chainRead(async () => BigInt(await getServerWeb3().requestManager.send({ method: "eth_blockNumber", params: [] })));
  blockNumberInFlight = sent;
  const settled = () => {
    if (blockNumberInFlight === sent) blockNumberInFlight = undefined;
  };
  sent.then(settled, settled);
  return sent;
}

/** The latest block number, from an eth_blockNumber sent after this call. */
export function latestBlockNumber(): Promise<bigint> {
  if (blockNumberNext) return blockNumberNext;
  if (!blockNumberInFlight) return sendBlockNumber();
  const next = blockNumberInFlight
    .then(
      () => {},
      () => {},
    )
    .then(() => {
      blockNumberNext = undefined;
      return sendBlockNumber();
    });
  blockNumberNext = next;
  return next;
}

export async function isPatient(address: string): Promise<boolean> {
  return chainRead(() => serverContracts().patient.methods.isPatient(address).call());
}

/** The patient's encryption key on chain (lowercase hex), or undefined when not a registered patient. */
export async function patientEncryptionKey(address: string): Promise<Hex | undefined> {
  if (!(await isPatient(address))) return undefined;
  const key = await chainRead(() => serverContracts().patient.methods.encryptionKeyOf(address).call());
  return lower(key);
}

export interface RecordOnChain {
  recordId: bigint;
  patient: Hex;
  author: Hex;
  cidDigest: Hex;
  codec: number;
}

export async function recordCount(patient: string, block: BlockTag = "latest"): Promise<bigint> {
  return chainRead(async () => BigInt(await serverContracts().patient.methods.recordCount(patient).call({}, block)));
}

/**
 * A record on chain, or undefined when it does not exist: one page of at most one record from getRecords,
 * which answers an empty page past the patient's last record (one call, and none that reverts).
 */
export async function getRecord(recordId: bigint): Promise<RecordOnChain | undefined> {
  const { patient: contract } = serverContracts();
  const page = await chainRead(() => contract.methods.getRecords(patientOfRecord(recordId), indexOfRecord(recordId), 1).call());
  const record = page[0];
  if (!record) return undefined;
  return {
    recordId,
    patient: lower(record.patient),
    author: lower(record.author),
    cidDigest: lower(record.cidDigest),
    codec: Number(record.codec),
  };
}

/** The chain's answer to "may `reader` read `recordId`" at `block` (patient, or active doctor with a live grant). */
export async function canRead(reader: string, recordId: bigint, block: BlockTag = "latest"): Promise<boolean> {
  return chainRead(() => serverContracts().patient.methods.canRead(reader, recordId).call({}, block));
}

/** What a doctor holds on one record (PatientContract.Grant); expiresAt in unix seconds, 0 = never. */
export interface GrantOnChain {
  recordId: bigint;
  /** A grant covers the record (not revoked; it may have expired). */
  granted: boolean;
  allRecords: boolean;
  expiresAt: number;
  /** canRead at the block read. */
  readable: boolean;
}

/** getGrants(patient, doctor, offset, limit); `offset` must be at most the patient's record count. */
export async function getGrants(patient: string, doctor: string, offset: bigint, limit: bigint, block: BlockTag = "latest"): Promise<GrantOnChain[]> {
  const page = await chainRead(() => serverContracts().patient.methods.getGrants(patient, doctor, offset, limit).call({}, block));
  return (page as unknown as Array<{ recordId: bigint; granted: boolean; allRecords: boolean; expiresAt: bigint; readable: boolean }>).map((grant) => ({
    recordId: BigInt(grant.recordId),
    granted: Boolean(grant.granted),
    allRecords: Boolean(grant.allRecords),
    expiresAt: Number(grant.expiresAt),
    readable: Boolean(grant.readable),
  }));
}

/** Every record's grant entry for `doctor` from `patient`, read in pages at one block. */
export async function getAllGrants(patient: string, doctor: string, block: BlockTag = "latest"): Promise<GrantOnChain[]> {
  const count = await recordCount(patient, block);
  const grants: GrantOnChain[] = [];
  for (let offset = 0n; offset < count; offset += CHAIN_PAGE_SIZE) grants.push(...(await getGrants(patient, doctor, offset, CHAIN_PAGE_SIZE, block)));
  return grants;
}

/** The all-records grant `doctor` holds from `patient` (granted false = none; it may have expired). */
export async function getAllAccess(patient: string, doctor: string, block: BlockTag = "latest"): Promise<{ granted: boolean; expiresAt: number }> {
  const result = await chainRead(() => serverContracts().patient.methods.getAllAccess(patient, doctor).call({}, block));
  return { granted: Boolean(result.granted), expiresAt: Number(result.expiresAt) };
}
