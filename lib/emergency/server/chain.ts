import "server-only";
import { chainRead } from "@/lib/chain/server/chain-errors";
import { serverContracts } from "@/lib/chain/server/contracts";
import type { BlockTag, Hex } from "@/lib/chain/server/reads";
import { getServerWeb3 } from "@/lib/chain/server/web3";

/*
 * DoctorContract's emergency views and events as the server reads them. Calls go through an untyped view of
 * the contract's methods (so this module does not depend on which ABI generation it is compiled against) and
 * events are decoded from their signatures here.
 */

type Call = { call(options?: object, block?: BlockTag): Promise<unknown> };
const methods = () => serverContracts().doctor.methods as unknown as Record<string, (...args: unknown[]) => Call>;
const read = <T>(name: string, args: unknown[], block: BlockTag = "latest") => chainRead(async () => (await methods()[name]!(...args).call({}, block)) as T);

const ZERO_KEY = `0x${"0".repeat(64)}`;
const lower = (value: unknown) => String(value).toLowerCase() as Hex;

/** Request states as the contract numbers them (an expired request stays Pending on chain). */
export const REQUEST_STATES = ["pending", "approved", "refused"] as const;
export type RequestStateOnChain = (typeof REQUEST_STATES)[number];

export interface EmergencyRequestOnChain {
  requestId: bigint;
  doctor: Hex;
  patient: Hex;
  reasonCode: number;
  state: RequestStateOnChain;
  approvals: number;
  threshold: number;
  keyVersion: number;
  requestedAt: number;
  grantedUntil: number;
}

export interface EmergencyKeyOnChain {
  /** 0x + 64 hex; undefined when the patient has not opted in. */
  key: Hex | undefined;
  threshold: number;
  version: number;
}

export async function emergencyKeyOf(patient: string, block: BlockTag = "latest"): Promise<EmergencyKeyOnChain> {
  const raw = await read<{ key: string; threshold: bigint; version: bigint }>("emergencyKeyOf", [patient], block);
  const key = lower(raw.key);
  return { key: key === ZERO_KEY ? undefined : key, threshold: Number(raw.threshold), version: Number(raw.version) };
}

export const getAdmins = async (block: BlockTag = "latest") => (await read<string[]>("getAdmins", [], block)).map(lower);

export async function adminEncryptionKeyOf(admin: string, block: BlockTag = "latest"): Promise<Hex | undefined> {
  const key = lower(await read<string>("adminEncryptionKeyOf", [admin], block));
  return key === ZERO_KEY ? undefined : key;
}

export const emergencyThreshold = async (block: BlockTag = "latest") => Number(await read<bigint>("emergencyThreshold", [], block));
export const emergencyWindow = async (block: BlockTag = "latest") => Number(await read<bigint>("emergencyWindow", [], block));
export const emergencyRequestCount = async (block: BlockTag = "latest") => BigInt(await read<bigint>("emergencyRequestCount", [], block));

function reshape(requestId: bigint, raw: Record<string, unknown>): EmergencyRequestOnChain {
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

/** A request, or undefined for an id the chain does not have (no reverting call). */
export async function getEmergencyRequest(requestId: bigint, block: BlockTag = "latest"): Promise<EmergencyRequestOnChain | undefined> {
  if (requestId < 1n || requestId > (await emergencyRequestCount(block))) return undefined;
  return reshape(requestId, await read<Record<string, unknown>>("getEmergencyRequest", [requestId], block));
}

export const hasApprovedEmergency = (requestId: bigint, admin: string, block: BlockTag = "latest") =>
  read<boolean>("hasApprovedEmergency", [requestId, admin], block).then(Boolean);

export const hasEmergencyAccess = (doctor: string, patient: string, block: BlockTag = "latest") =>
  read<boolean>("hasEmergencyAccess", [doctor, patient], block).then(Boolean);

export async function emergencyAccessOf(doctor: string, patient: string, block: BlockTag = "latest"): Promise<{ requestId: bigint; grantedUntil: number }> {
  const raw = await read<{ requestId: bigint; grantedUntil: bigint }>("emergencyAccessOf", [doctor, patient], block);
  return { requestId: BigInt(raw.requestId), grantedUntil: Number(raw.grantedUntil) };
}

// --- events -----------------------------------------------------------------------------------------------
interface EventInput {
  name: string;
  type: string;
  indexed: boolean;
}
const EVENTS: Record<string, EventInput[]> = {
  EmergencyAccessRequested: [
    { name: "requestId", type: "uint256", indexed: true },
    { name: "doctor", type: "address", indexed: true },
    { name: "patient", type: "address", indexed: true },
    { name: "reasonCode", type: "uint8", indexed: false },
    { name: "noteHash", type: "bytes32", indexed: false },
  ],
  EmergencyAccessApproved: [
    { name: "requestId", type: "uint256", indexed: true },
    { name: "admin", type: "address", indexed: true },
    { name: "approvals", type: "uint8", indexed: false },
  ],
  EmergencyAccessRefused: [
    { name: "requestId", type: "uint256", indexed: true },
    { name: "admin", type: "address", indexed: true },
  ],
};

const topicOf = (name: string) => getServerWeb3().eth.abi.encodeEventSignature(`${name}(${EVENTS[name]!.map((input) => input.type).join(",")})`).toLowerCase();
const asTopic = (value: string | bigint): string => `0x${BigInt(value).toString(16).padStart(64, "0")}`;

export interface EmergencyLog {
  name: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
}

/** DoctorContract logs of one emergency event, filtered on its indexed arguments (positional; undefined = any). */
export async function emergencyLogs(name: keyof typeof EVENTS & string, indexed: ReadonlyArray<string | bigint | undefined>): Promise<EmergencyLog[]> {
  const web3 = getServerWeb3();
  const inputs = EVENTS[name]!;
  const topics: (string | null)[] = [topicOf(name), ...indexed.map((value) => (value === undefined ? null : asTopic(value)))];
  while (topics.length > 1 && topics[topics.length - 1] === null) topics.pop();
  const address = serverContracts().doctor.options.address;
  const logs = await chainRead(() => web3.eth.getPastLogs({ address, fromBlock: 0n, toBlock: "latest", topics: topics as string[] }));
  const decoded: EmergencyLog[] = [];
  for (const log of logs) {
    if (typeof log === "string" || !log.topics?.length || log.removed) continue;
    const logTopics = log.topics.map((topic) => String(topic).toLowerCase());
    const args = web3.eth.abi.decodeLog(inputs, String(log.data ?? "0x"), logTopics.slice(1)) as Record<string, unknown>;
    decoded.push({ name, args, blockNumber: BigInt(log.blockNumber ?? 0), blockHash: lower(log.blockHash), txHash: lower(log.transactionHash) });
  }
  return decoded;
}

/** The note hash a request was made with (0x00… for none), from its EmergencyAccessRequested event. */
export async function noteHashOf(requestId: bigint): Promise<Hex | undefined> {
  const [log] = await emergencyLogs("EmergencyAccessRequested", [requestId]);
  return log ? lower(log.args.noteHash) : undefined;
}
