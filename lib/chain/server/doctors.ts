import "server-only";
import { chainRead } from "./chain-errors";
import { serverContracts } from "./contracts";
import { CHAIN_PAGE_SIZE, type Hex } from "./reads";

const ZERO_KEY = `0x${"0".repeat(64)}` as Hex;

/** A registered doctor as DoctorContract.getDoctor returns it. */
export interface DoctorOnChain {
  address: Hex;
  name: string;
  specialty: string;
  licenceHash: Hex;
  /** Zero (0x00…) until the doctor publishes a key. */
  encryptionKey: Hex;
  hasKey: boolean;
  active: boolean;
  /** Unix seconds. */
  registeredAt: number;
}

interface RawDoctor {
  name: string;
  specialty: string;
  licenceHash: string;
  encryptionKey: string;
  active: boolean;
  registeredAt: bigint;
}

function reshape(address: string, entry: RawDoctor): DoctorOnChain {
  const encryptionKey = String(entry.encryptionKey).toLowerCase() as Hex;
  return {
    address: address.toLowerCase() as Hex,
    name: String(entry.name),
    specialty: String(entry.specialty),
    licenceHash: String(entry.licenceHash).toLowerCase() as Hex,
    encryptionKey,
    hasKey: encryptionKey !== ZERO_KEY,
    active: Boolean(entry.active),
    registeredAt: Number(entry.registeredAt),
  };
}

export async function isAdmin(address: string): Promise<boolean> {
  return chainRead(() => serverContracts().doctor.methods.isAdmin(address).call());
}

/** "active", "inactive" (registered, deactivated) or "none" (never registered). */
export type DoctorStatus = "active" | "inactive" | "none";

export async function doctorStatus(address: string): Promise<DoctorStatus> {
  const { doctor } = serverContracts();
  if (await chainRead(() => doctor.methods.isActiveDoctor(address).call())) return "active";
  return (await chainRead(() => doctor.methods.isDoctor(address).call())) ? "inactive" : "none";
}

/** A registered doctor's entry, or undefined when the address is no doctor. */
export async function doctorOf(address: string): Promise<DoctorOnChain | undefined> {
  const { doctor } = serverContracts();
  if (!(await chainRead(() => doctor.methods.isDoctor(address).call()))) return undefined;
  const entry = await chainRead(() => doctor.methods.getDoctor(address).call());
  return reshape(address, entry as unknown as RawDoctor);
}

/** Every registered doctor in registration order, read in pages. */
export async function allDoctors(): Promise<DoctorOnChain[]> {
  const { doctor } = serverContracts();
  const count = BigInt(await chainRead(() => doctor.methods.doctorCount().call()));
  const doctors: DoctorOnChain[] = [];
  for (let offset = 0n; offset < count; offset += CHAIN_PAGE_SIZE) {
    const page = (await chainRead(() => doctor.methods.getDoctors(offset, CHAIN_PAGE_SIZE).call())) as unknown as { accounts: string[]; doctors: RawDoctor[] };
    page.accounts.forEach((account, i) => doctors.push(reshape(account, page.doctors[i]!)));
  }
  return doctors;
}
