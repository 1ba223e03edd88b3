import { doctorContractAbi } from "@/lib/chain/generated/contracts";
import { emergencyRequestFields, type EmergencyRequestFields } from "../emergency-shape";
import type { BrowserChain } from "./contracts";
import { eventInReceipt, sendFromAccount } from "./send";
import type { TxReceipt, TxStatus } from "./transactor";

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

// --- administrators ------------------------------------------------------------------------------------

export async function isAdmin({ contracts }: BrowserChain, address: string): Promise<boolean> {
  return Boolean(await contracts.doctor.methods.isAdmin(address).call());
}

export async function adminCount({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.adminCount().call());
}

/** Makes `account` an administrator (reverts DoctorContractAlreadyAdmin / DoctorContractZeroAddress). */
export const addAdmin = (chain: BrowserChain, account: string, onStatus?: OnStatus) => sendFromAccount(chain, chain.contracts.doctor.methods.addAdmin(account), onStatus);

/** Removes an administrator (reverts DoctorContractNotAdmin / DoctorContractLastAdmin). */
export const removeAdmin = (chain: BrowserChain, account: string, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.removeAdmin(account), onStatus);

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
  sendFromAccount(chain, chain.contracts.doctor.methods.registerDoctor(doctor, name, specialty, licenceHash), onStatus);

export const deactivateDoctor = (chain: BrowserChain, doctor: string, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.deactivateDoctor(doctor), onStatus);

export const reactivateDoctor = (chain: BrowserChain, doctor: string, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.reactivateDoctor(doctor), onStatus);

// --- doctors: self-service -----------------------------------------------------------------------------

/** Publishes (or rotates) the caller's encryption public key: DoctorContract.setEncryptionKey. */
export const setDoctorEncryptionKey = (chain: BrowserChain, publicKeyHex: string, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.setEncryptionKey(publicKeyHex), onStatus);

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

// --- emergency access (break-glass) --------------------------------------------------------------------
// The interface is /work/emergency-spec.md. Writes go through the one transactor; reads return plain numbers,
// lower-case hex, and undefined for "none". Reverts arrive as a ChainError whose errorName is the custom error
// (explain them with EMERGENCY_CONTRACT_ERRORS).

/** Bounds of the emergency window the contract accepts (DoctorContract keeps them private constants). */
export const EMERGENCY_WINDOW_MIN_SECONDS = 3_600;
export const EMERGENCY_WINDOW_MAX_SECONDS = 259_200;
/** The threshold and window a fresh deployment starts with. */
export const DEFAULT_EMERGENCY_THRESHOLD = 2;
export const DEFAULT_EMERGENCY_WINDOW_SECONDS = 86_400;

/** An emergency request as DoctorContract.getEmergencyRequest returns it (times in unix seconds). */
export interface EmergencyRequestOnChain extends EmergencyRequestFields {
  requestId: string;
  doctor: string;
  patient: string;
}

/** What each DoctorContract emergency refusal means, by custom error name. */
export const EMERGENCY_CONTRACT_ERRORS: Readonly<Record<string, string>> = {
  DoctorContractUnauthorized: "Your wallet is not an administrator (any more).",
  DoctorContractInvalidEncryptionKey: "The key is empty.",
  DoctorContractInvalidThreshold:
    "The threshold must be at least 1 (at least the administrators' threshold for a patient) and at most the number of administrators who published a key.",
  DoctorContractInvalidWindow: "The window must be between 1 hour and 72 hours.",
  DoctorContractEmergencyNotEnabled: "This patient has not opted in to emergency access.",
  DoctorContractNotActiveDoctor: "The doctor is not an active doctor (never registered, or deactivated).",
  DoctorContractInvalidReason: "Choose a reason from the list.",
  DoctorContractEmergencyRequestOpen: "There is already an open emergency request from this doctor for this patient.",
  DoctorContractEmergencyRequestNotFound: "There is no such emergency request.",
  DoctorContractEmergencyRequestClosed: "This request was already approved or refused.",
  DoctorContractEmergencyRequestExpired: "This request is older than the emergency window: the doctor must ask again.",
  DoctorContractAdminKeyMissing: "Publish your administrator encryption key before approving.",
  DoctorContractOwnRequest: "You cannot decide on your own emergency request.",
  DoctorContractAlreadyApproved: "You already approved this request.",
  DoctorContractEmergencyKeyChanged: "The patient renewed or withdrew their emergency key since the request: the doctor must ask again.",
};

/** A uint8 argument, checked here so that a bad value is a clear error rather than an ABI encoding failure. */
function uint8(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${what} must be an integer from 0 to 255`);
  return value;
}

const bytes32 = (value: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new TypeError("Expected 0x followed by 64 hex digits");
  return value.toLowerCase();
};

/** Publishes (or rotates) the calling administrator's X25519 public key: DoctorContract.setAdminEncryptionKey. */
export const setAdminEncryptionKey = (chain: BrowserChain, publicKeyHex: string, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.setAdminEncryptionKey(bytes32(publicKeyHex)), onStatus);

/** Sets the approvals an emergency request needs (1 .. adminsWithKeyCount). */
export const setEmergencyThreshold = (chain: BrowserChain, threshold: number, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.setEmergencyThreshold(uint8(threshold, "The threshold")), onStatus);

/** Sets the emergency window in seconds (EMERGENCY_WINDOW_MIN_SECONDS .. EMERGENCY_WINDOW_MAX_SECONDS). */
export const setEmergencyWindow = (chain: BrowserChain, seconds: number, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.setEmergencyWindow(BigInt(seconds)), onStatus);

/** Opts the caller in to emergency access, or renews the key (the version moves on). */
export const setEmergencyKey = (chain: BrowserChain, publicKeyHex: string, threshold: number, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.setEmergencyKey(bytes32(publicKeyHex), uint8(threshold, "The threshold")), onStatus);

/** Opts the caller out of emergency access; any open emergency window on their records ends. */
export const clearEmergencyKey = (chain: BrowserChain, onStatus?: OnStatus) => sendFromAccount(chain, chain.contracts.doctor.methods.clearEmergencyKey(), onStatus);

const ZERO_NOTE = ZERO_KEY;

/**
 * Asks for emergency access to `patient` (reason code 1..4; `noteHash` = sha256 of the sealed note, or
 * undefined for none). Returns the new request id from the EmergencyAccessRequested event, read back from
 * emergencyAccessOf when the receipt carries no such log.
 */
export async function requestEmergencyAccess(
  chain: BrowserChain,
  patient: string,
  reasonCode: number,
  noteHash: string | undefined,
  onStatus?: OnStatus,
): Promise<{ requestId: string; receipt: TxReceipt }> {
  const method = chain.contracts.doctor.methods.requestEmergencyAccess(patient, uint8(reasonCode, "The reason code"), noteHash ? bytes32(noteHash) : ZERO_NOTE);
  const receipt = await sendFromAccount(chain, method, onStatus);
  const requested = eventInReceipt(receipt, chain.contracts.doctor.options.address, doctorContractAbi, "EmergencyAccessRequested");
  if (requested) return { requestId: BigInt(requested.requestId as bigint | string).toString(), receipt };
  const { requestId } = await emergencyAccessOf(chain, chain.account, patient);
  return { requestId, receipt };
}

/** Approves emergency request `requestId` (store the re-sealed share first). */
export const approveEmergencyAccess = (chain: BrowserChain, requestId: string | bigint, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.approveEmergencyAccess(BigInt(requestId)), onStatus);

/** Refuses emergency request `requestId`. */
export const refuseEmergencyAccess = (chain: BrowserChain, requestId: string | bigint, onStatus?: OnStatus) =>
  sendFromAccount(chain, chain.contracts.doctor.methods.refuseEmergencyAccess(BigInt(requestId)), onStatus);

/** Every administrator, lower case (DoctorContract.getAdmins; no particular order). */
export async function getAdmins({ contracts }: BrowserChain): Promise<string[]> {
  const admins = (await contracts.doctor.methods.getAdmins().call()) as unknown as string[];
  return admins.map((admin) => String(admin).toLowerCase());
}

/** An administrator's X25519 public key on chain, or undefined when none. */
export async function adminEncryptionKeyOf({ contracts }: BrowserChain, admin: string): Promise<string | undefined> {
  const key = String(await contracts.doctor.methods.adminEncryptionKeyOf(admin).call()).toLowerCase();
  return key === ZERO_KEY ? undefined : key;
}

export async function adminsWithKeyCount({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.adminsWithKeyCount().call());
}

export async function emergencyThreshold({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.emergencyThreshold().call());
}

/** The emergency window in seconds. */
export async function emergencyWindow({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.emergencyWindow().call());
}

/** The current emergency settings, read together. */
export async function emergencySettings(chain: BrowserChain): Promise<{ threshold: number; windowSeconds: number; adminsWithKey: number }> {
  const [threshold, windowSeconds, adminsWithKey] = await Promise.all([emergencyThreshold(chain), emergencyWindow(chain), adminsWithKeyCount(chain)]);
  return { threshold, windowSeconds, adminsWithKey };
}

export async function emergencyRequestCount({ contracts }: BrowserChain): Promise<number> {
  return Number(await contracts.doctor.methods.emergencyRequestCount().call());
}

/** Shapes DoctorContract.EmergencyRequest (as web3 returns it) into the app's type. */
export function toEmergencyRequest(requestId: string | bigint, raw: Record<string, unknown>): EmergencyRequestOnChain {
  return { requestId: BigInt(requestId).toString(), doctor: String(raw.doctor).toLowerCase(), patient: String(raw.patient).toLowerCase(), ...emergencyRequestFields(raw) };
}

/** One emergency request, or undefined when the id does not exist (checked without a reverting call). */
export async function getEmergencyRequest(chain: BrowserChain, requestId: string | bigint): Promise<EmergencyRequestOnChain | undefined> {
  const id = BigInt(requestId);
  if (id < 1n || id > BigInt(await emergencyRequestCount(chain))) return undefined;
  const raw = (await chain.contracts.doctor.methods.getEmergencyRequest(id).call()) as unknown as Record<string, unknown>;
  return toEmergencyRequest(id, raw);
}

export async function hasApprovedEmergency({ contracts }: BrowserChain, requestId: string | bigint, admin: string): Promise<boolean> {
  return Boolean(await contracts.doctor.methods.hasApprovedEmergency(BigInt(requestId), admin).call());
}

/** The latest emergency request of `doctor` for `patient` ("0" if none) and the end of its window (0 unless approved). */
export async function emergencyAccessOf({ contracts }: BrowserChain, doctor: string, patient: string): Promise<{ requestId: string; grantedUntil: number }> {
  const result = (await contracts.doctor.methods.emergencyAccessOf(doctor, patient).call()) as unknown as Record<string, unknown>;
  return { requestId: BigInt((result.requestId ?? result[0]) as bigint).toString(), grantedUntil: Number(result.grantedUntil ?? result[1]) };
}

/** Whether `doctor`'s emergency window on `patient` is open now. */
export async function hasEmergencyAccess({ contracts }: BrowserChain, doctor: string, patient: string): Promise<boolean> {
  return Boolean(await contracts.doctor.methods.hasEmergencyAccess(doctor, patient).call());
}
