import { transact, type BrowserChain, type SendableMethod, type TxReceipt, type TxStatus } from "@/lib/chain/client";

/*
 * DoctorContract's emergency functions as the browser uses them: reads, and writes through the one transactor.
 * Methods are reached through an untyped view so this module does not depend on the ABI generation it is
 * compiled against.
 */

type Method = SendableMethod & { call(options?: object): Promise<unknown> };
const methods = (chain: BrowserChain) => chain.contracts.doctor.methods as unknown as Record<string, (...args: unknown[]) => Method>;
const call = async <T>(chain: BrowserChain, name: string, ...args: unknown[]) => (await methods(chain)[name]!(...args).call()) as T;
type OnStatus = (status: TxStatus) => void;
const send = (chain: BrowserChain, name: string, args: unknown[], onStatus?: OnStatus): Promise<TxReceipt> =>
  transact(methods(chain)[name]!(...args), chain.account, onStatus, {
    receipts: { getTransactionReceipt: (hash) => chain.web3.eth.getTransactionReceipt(hash) as Promise<unknown> },
  });

const ZERO = `0x${"0".repeat(64)}`;
const lower = (value: unknown) => String(value).toLowerCase();
const keyOrUndefined = (value: unknown) => (lower(value) === ZERO ? undefined : lower(value));

export const REQUEST_STATES = ["pending", "approved", "refused"] as const;

export interface EmergencyRequestView {
  requestId: string;
  doctor: string;
  patient: string;
  reasonCode: number;
  state: (typeof REQUEST_STATES)[number];
  approvals: number;
  threshold: number;
  keyVersion: number;
  requestedAt: number;
  grantedUntil: number;
}

// --- reads ------------------------------------------------------------------------------------------------
export const getAdmins = async (chain: BrowserChain) => (await call<string[]>(chain, "getAdmins")).map(lower);
export const adminEncryptionKeyOf = async (chain: BrowserChain, admin: string) => keyOrUndefined(await call(chain, "adminEncryptionKeyOf", admin));
export const emergencyThreshold = async (chain: BrowserChain) => Number(await call(chain, "emergencyThreshold"));
export const emergencyWindow = async (chain: BrowserChain) => Number(await call(chain, "emergencyWindow"));

/** Every administrator with an encryption key on chain, with that key (0x + 64 hex). */
export async function adminsWithKeys(chain: BrowserChain): Promise<{ admin: string; key: string }[]> {
  const admins = await getAdmins(chain);
  const keys = await Promise.all(admins.map((admin) => adminEncryptionKeyOf(chain, admin)));
  return admins.flatMap((admin, i) => (keys[i] ? [{ admin, key: keys[i]! }] : []));
}

export async function emergencyKeyOf(chain: BrowserChain, patient: string): Promise<{ key: string | undefined; threshold: number; version: number }> {
  const raw = await call<{ key: string; threshold: bigint; version: bigint }>(chain, "emergencyKeyOf", patient);
  return { key: keyOrUndefined(raw.key), threshold: Number(raw.threshold), version: Number(raw.version) };
}

export async function getEmergencyRequest(chain: BrowserChain, requestId: string): Promise<EmergencyRequestView> {
  const raw = await call<Record<string, unknown>>(chain, "getEmergencyRequest", BigInt(requestId));
  return {
    requestId,
    doctor: lower(raw.doctor),
    patient: lower(raw.patient),
    reasonCode: Number(raw.reasonCode),
    state: REQUEST_STATES[Number(raw.state)] ?? "pending",
    approvals: Number(raw.approvals),
    threshold: Number(raw.threshold),
    keyVersion: Number(raw.keyVersion),
    requestedAt: Number(raw.requestedAt),
    grantedUntil: Number(raw.grantedUntil),
  };
}

export async function emergencyAccessOf(chain: BrowserChain, doctor: string, patient: string): Promise<{ requestId: string; grantedUntil: number }> {
  const raw = await call<{ requestId: bigint; grantedUntil: bigint }>(chain, "emergencyAccessOf", doctor, patient);
  return { requestId: BigInt(raw.requestId).toString(), grantedUntil: Number(raw.grantedUntil) };
}

export const hasEmergencyAccess = async (chain: BrowserChain, doctor: string, patient: string) => Boolean(await call(chain, "hasEmergencyAccess", doctor, patient));

// --- writes -----------------------------------------------------------------------------------------------
export const setAdminEncryptionKey = (chain: BrowserChain, publicKeyHex: string, onStatus?: OnStatus) => send(chain, "setAdminEncryptionKey", [publicKeyHex], onStatus);
export const setEmergencyKey = (chain: BrowserChain, publicKeyHex: string, threshold: number, onStatus?: OnStatus) =>
  send(chain, "setEmergencyKey", [publicKeyHex, threshold], onStatus);
export const clearEmergencyKey = (chain: BrowserChain, onStatus?: OnStatus) => send(chain, "clearEmergencyKey", [], onStatus);
export const requestEmergencyAccess = (chain: BrowserChain, patient: string, reasonCode: number, noteHash: string, onStatus?: OnStatus) =>
  send(chain, "requestEmergencyAccess", [patient, reasonCode, noteHash], onStatus);
export const approveEmergencyAccess = (chain: BrowserChain, requestId: string, onStatus?: OnStatus) => send(chain, "approveEmergencyAccess", [BigInt(requestId)], onStatus);
export const refuseEmergencyAccess = (chain: BrowserChain, requestId: string, onStatus?: OnStatus) => send(chain, "refuseEmergencyAccess", [BigInt(requestId)], onStatus);
