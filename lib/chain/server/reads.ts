import "server-only";
import { chainRead } from "./chain-errors";
import { serverContracts } from "./contracts";

export type Hex = `0x${string}`;

const INDEX_BITS = 96n;
const INDEX_MASK = (1n << INDEX_BITS) - 1n;

/** The patient a record id belongs to: its top 160 bits, as a lowercase address. */
export function patientOfRecord(recordId: bigint | string): Hex {
  return `0x${(BigInt(recordId) >> INDEX_BITS).toString(16).padStart(40, "0")}`;
}

export async function isPatient(address: string): Promise<boolean> {
  return chainRead(() => serverContracts().patient.methods.isPatient(address).call());
}

/** The patient's encryption key on chain (lowercase hex), or undefined when not a registered patient. */
export async function patientEncryptionKey(address: string): Promise<Hex | undefined> {
  if (!(await isPatient(address))) return undefined;
  const key = await chainRead(() => serverContracts().patient.methods.encryptionKeyOf(address).call());
  return String(key).toLowerCase() as Hex;
}

export interface ChainDoctor {
  /** Zero (0x00…) until the doctor publishes a key. */
  encryptionKey: Hex;
  active: boolean;
}

/** A registered doctor's key and status, or undefined when the address is no doctor. */
export async function doctorOf(address: string): Promise<ChainDoctor | undefined> {
  const { doctor } = serverContracts();
  if (!(await chainRead(() => doctor.methods.isDoctor(address).call()))) return undefined;
  const entry = await chainRead(() => doctor.methods.getDoctor(address).call());
  return { encryptionKey: String(entry.encryptionKey).toLowerCase() as Hex, active: Boolean(entry.active) };
}

export interface ChainRecord {
  recordId: bigint;
  patient: Hex;
  author: Hex;
  cidDigest: Hex;
  codec: number;
}

/** A record on chain, or undefined when it does not exist (checked without a reverting call). */
export async function getRecord(recordId: bigint): Promise<ChainRecord | undefined> {
  const patient = patientOfRecord(recordId);
  const { patient: contract } = serverContracts();
  const count = BigInt(await chainRead(() => contract.methods.recordCount(patient).call()));
  if ((recordId & INDEX_MASK) >= count) return undefined;
  const record = await chainRead(() => contract.methods.getRecord(recordId).call());
  return {
    recordId,
    patient: String(record.patient).toLowerCase() as Hex,
    author: String(record.author).toLowerCase() as Hex,
    cidDigest: String(record.cidDigest).toLowerCase() as Hex,
    codec: Number(record.codec),
  };
}

/** The chain's answer to "may `reader` read `recordId` now" (patient, or active doctor with a live grant). */
export async function canRead(reader: string, recordId: bigint): Promise<boolean> {
  return chainRead(() => serverContracts().patient.methods.canRead(reader, recordId).call());
}
