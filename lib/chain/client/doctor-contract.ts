import type { BrowserChain } from "./contracts";
import { transact, type ReceiptSource, type SendableMethod, type TxReceipt, type TxStatus } from "./transactor";

const ZERO_KEY = `0x${"0".repeat(64)}`;

/** A registered doctor as DoctorContract stores it (addresses and keys lower case). */
export interface DoctorOnChain {
  address: string;
  name: string;
  specialty: string;
  /** sha256(salt || licence number), 0x + 64 hex. */
  licenceHash: string;
  /** The doctor's X25519 public key, or undefined until they publish one. */
  encryptionKey: string | undefined;
  active: boolean;
  /** Unix seconds (block time of registration). */
  registeredAt: number;
}

type OnStatus = (status: TxStatus) => void;

const asMethod = (method: unknown) => method as SendableMethod;

/** Receipts straight from the node behind the wallet (used when the wallet's own wait fails after the hash). */
const receiptsOf = ({ web3 }: BrowserChain): ReceiptSource => ({
  getTransactionReceipt: (hash) => web3.eth.getTransactionReceipt(hash) as Promise<unknown>,
});

const send = (chain: BrowserChain, method: unknown, onStatus?: OnStatus): Promise<TxReceipt> =>
  transact(asMethod(method), chain.account, onStatus, { receipts: receiptsOf(chain) });

// --- administrators ------------------------------------------------------------------------------------

export async function isAdmin({ contracts }: BrowserChain, address: string): Promise<boolean> {
  return Boolean(await contracts.doctor.methods.isAdmin(address).call());
}

export async function adminCount({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.adminCount().call());
}

/** Makes `account` an administrator (reverts DoctorContractAlreadyAdmin / DoctorContractZeroAddress). */
export const addAdmin = (chain: BrowserChain, account: string, onStatus?: OnStatus) => send(chain, chain.contracts.doctor.methods.addAdmin(account), onStatus);

/** Removes an administrator (reverts DoctorContractNotAdmin / DoctorContractLastAdmin). */
export const removeAdmin = (chain: BrowserChain, account: string, onStatus?: OnStatus) =>
  send(chain, chain.contracts.doctor.methods.removeAdmin(account), onStatus);

type AdminEvent = { event?: string; blockNumber?: bigint | number | string; logIndex?: bigint | number | string; returnValues: Record<string, unknown> };

/**
 * The current administrators, replayed from AdminAdded / AdminRemoved events (the contract keeps no list),
 * in the order they became administrators.
 */
export async function listAdmins({ contracts }: BrowserChain): Promise<string[]> {
  const options = { fromBlock: 0, toBlock: "latest" } as const;
  const [added, removed] = await Promise.all([contracts.doctor.getPastEvents("AdminAdded", options), contracts.doctor.getPastEvents("AdminRemoved", options)]);
  const position = (event: AdminEvent) => BigInt(event.blockNumber ?? 0) * 1_000_000n + BigInt(event.logIndex ?? 0);
  const events = [...added, ...removed]
    .filter((event) => typeof event === "object")
    .map((event) => event as unknown as AdminEvent)
    .sort((a, b) => (position(a) < position(b) ? -1 : position(a) > position(b) ? 1 : 0));
  const admins = new Set<string>();
  for (const event of events) {
    const account = String(event.returnValues.account).toLowerCase();
    if (event.event === "AdminRemoved") admins.delete(account);
    else admins.add(account);
  }
  return [...admins];
}

// --- doctors: administration ---------------------------------------------------------------------------

export interface DoctorRegistration {
  doctor: string;
  name: string;
  specialty: string;
  /** 0x + 64 hex. */
  licenceHash: string;
}

export const registerDoctor = (chain: BrowserChain, { doctor, name, specialty, licenceHash }: DoctorRegistration, onStatus?: OnStatus) =>
  send(chain, chain.contracts.doctor.methods.registerDoctor(doctor, name, specialty, licenceHash), onStatus);

export const deactivateDoctor = (chain: BrowserChain, doctor: string, onStatus?: OnStatus) =>
  send(chain, chain.contracts.doctor.methods.deactivateDoctor(doctor), onStatus);

export const reactivateDoctor = (chain: BrowserChain, doctor: string, onStatus?: OnStatus) =>
  send(chain, chain.contracts.doctor.methods.reactivateDoctor(doctor), onStatus);

// --- doctors: self-service -----------------------------------------------------------------------------

/** Publishes (or rotates) the caller's encryption public key: DoctorContract.setEncryptionKey. */
export const setDoctorEncryptionKey = (chain: BrowserChain, publicKeyHex: string, onStatus?: OnStatus) =>
  send(chain, chain.contracts.doctor.methods.setEncryptionKey(publicKeyHex), onStatus);

// --- views ---------------------------------------------------------------------------------------------

export async function isDoctor({ contracts }: BrowserChain, address: string): Promise<boolean> {
  return Boolean(await contracts.doctor.methods.isDoctor(address).call());
}

export async function isActiveDoctor({ contracts }: BrowserChain, address: string): Promise<boolean> {
  return Boolean(await contracts.doctor.methods.isActiveDoctor(address).call());
}

export async function doctorCount({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.doctorCount().call());
}

/** A doctor's registry entry, or undefined when the address was never registered (no reverting call). */
export async function getDoctor(chain: BrowserChain, address: string): Promise<DoctorOnChain | undefined> {
  if (!(await isDoctor(chain, address))) return undefined;
  const entry = (await chain.contracts.doctor.methods.getDoctor(address).call()) as unknown as {
    name: string;
    specialty: string;
    licenceHash: string;
    encryptionKey: string;
    active: boolean;
    registeredAt: bigint | number | string;
  };
  const key = String(entry.encryptionKey).toLowerCase();
  return {
    address: address.toLowerCase(),
    name: String(entry.name),
    specialty: String(entry.specialty),
    licenceHash: String(entry.licenceHash).toLowerCase(),
    encryptionKey: key === ZERO_KEY ? undefined : key,
    active: Boolean(entry.active),
    registeredAt: Number(entry.registeredAt),
  };
}
