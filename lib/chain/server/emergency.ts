import "server-only";
import { doctorContractAbi } from "@/lib/chain/generated/contracts";
import { emergencyRequestFields, type EmergencyRequestFields } from "../emergency-shape";
import { chainRead } from "./chain-errors";
import { serverContracts } from "./contracts";
import type { ChainLog, LogRange } from "./events";
import type { BlockTag, Hex } from "./reads";
import { getServerWeb3 } from "./web3";

/**
 * Emergency access (break-glass) as DoctorContract holds it: administrators' keys, the threshold and window, the
 * patients' emergency keys, the requests and the request/approval events. The interface is
 * /work/emergency-spec.md. Reads that the contract would revert (an unknown request id) answer undefined instead.
 */

const ZERO_KEY = `0x${"0".repeat(64)}` as Hex;
const lower = (value: unknown) => String(value).toLowerCase() as Hex;
const web3 = () => getServerWeb3();
const doctor = () => serverContracts().doctor;

/** An emergency request (DoctorContract.getEmergencyRequest); times in unix seconds. */
export interface EmergencyRequestOnChain extends EmergencyRequestFields {
  requestId: bigint;
  doctor: Hex;
  patient: Hex;
}

// --- administrators -------------------------------------------------------------------------------------

/** Every administrator, lower case, in the contract's order (no particular meaning). */
export async function getAdmins(block: BlockTag = "latest"): Promise<Hex[]> {
  const admins = await chainRead(() => doctor().methods.getAdmins().call({}, block));
  return (admins as unknown as string[]).map(lower);
}

/** An administrator's X25519 public key on chain, or undefined when none (or not an administrator). */
export async function adminEncryptionKeyOf(admin: string, block: BlockTag = "latest"): Promise<Hex | undefined> {
  const key = lower(await chainRead(() => doctor().methods.adminEncryptionKeyOf(admin).call({}, block)));
  return key === ZERO_KEY ? undefined : key;
}

/** Every administrator with a published key, and the key: the holders of a patient's shares. */
export async function adminsWithKeys(block: BlockTag = "latest"): Promise<{ admin: Hex; key: Hex }[]> {
  const admins = await getAdmins(block);
  const keys = await Promise.all(admins.map((admin) => adminEncryptionKeyOf(admin, block)));
  return admins.flatMap((admin, i) => (keys[i] ? [{ admin, key: keys[i]! }] : []));
}

export async function adminsWithKeyCount(block: BlockTag = "latest"): Promise<number> {
  return Number(await chainRead(() => doctor().methods.adminsWithKeyCount().call({}, block)));
}

// --- settings -------------------------------------------------------------------------------------------

export async function emergencyThreshold(block: BlockTag = "latest"): Promise<number> {
  return Number(await chainRead(() => doctor().methods.emergencyThreshold().call({}, block)));
}

/** The emergency window in seconds. */
export async function emergencyWindow(block: BlockTag = "latest"): Promise<number> {
  return Number(await chainRead(() => doctor().methods.emergencyWindow().call({}, block)));
}

// --- requests -------------------------------------------------------------------------------------------

export async function emergencyRequestCount(block: BlockTag = "latest"): Promise<bigint> {
  return BigInt(await chainRead(() => doctor().methods.emergencyRequestCount().call({}, block)));
}

function reshapeRequest(requestId: bigint, raw: Record<string, unknown>): EmergencyRequestOnChain {
  return { requestId, doctor: lower(raw.doctor), patient: lower(raw.patient), ...emergencyRequestFields(raw) };
}

/** One emergency request, or undefined when the id does not exist (checked without a reverting call). */
export async function getEmergencyRequest(requestId: bigint, block: BlockTag = "latest"): Promise<EmergencyRequestOnChain | undefined> {
  if (requestId < 1n || requestId > (await emergencyRequestCount(block))) return undefined;
  const raw = await chainRead(() => doctor().methods.getEmergencyRequest(requestId).call({}, block));
  return reshapeRequest(requestId, raw as unknown as Record<string, unknown>);
}

/** The latest request of `doctorAddress` for `patient` (0n if none) and the end of its window (0 unless approved). */
export async function emergencyAccessOf(doctorAddress: string, patient: string, block: BlockTag = "latest"): Promise<{ requestId: bigint; grantedUntil: number }> {
  const result = (await chainRead(() => doctor().methods.emergencyAccessOf(doctorAddress, patient).call({}, block))) as unknown as Record<string, unknown>;
  return { requestId: BigInt((result.requestId ?? result[0]) as bigint), grantedUntil: Number(result.grantedUntil ?? result[1]) };
}

/** Whether `doctorAddress`'s emergency window on `patient` is open at `block`. */
export async function hasEmergencyAccess(doctorAddress: string, patient: string, block: BlockTag = "latest"): Promise<boolean> {
  return Boolean(await chainRead(() => doctor().methods.hasEmergencyAccess(doctorAddress, patient).call({}, block)));
}

export async function hasApprovedEmergency(requestId: bigint, admin: string, block: BlockTag = "latest"): Promise<boolean> {
  return Boolean(await chainRead(() => doctor().methods.hasApprovedEmergency(requestId, admin).call({}, block)));
}

// --- events ---------------------------------------------------------------------------------------------

interface EventInput {
  name: string;
  type: string;
  indexed?: boolean;
}

const doctorEvents = new Map(
  (doctorContractAbi as readonly { type: string; name?: string; inputs?: readonly EventInput[] }[])
    .filter((entry) => entry.type === "event" && entry.name)
    .map((entry) => [entry.name!, { name: entry.name!, inputs: [...(entry.inputs ?? [])] }]),
);

const topicCache = new Map<string, Hex>();
function topicOf(fragment: { name: string; inputs: EventInput[] }): Hex {
  let topic = topicCache.get(fragment.name);
  if (!topic) {
    const signature = `${fragment.name}(${fragment.inputs.map((input) => input.type).join(",")})`;
    topicCache.set(fragment.name, (topic = web3().eth.abi.encodeEventSignature(signature).toLowerCase() as Hex));
  }
  return topic;
}

/** An indexed address or uint256 as its topic. */
const asTopic = (value: string | bigint): Hex => `0x${BigInt(value).toString(16).padStart(64, "0")}`;

/** One indexed position: undefined = any, a list = any of them. */
type TopicFilter = string | bigint | readonly (string | bigint)[] | undefined;

/**
 * Logs of the named DoctorContract events whose indexed arguments match (positional, after the signature),
 * oldest first. Every named event must index the same leading arguments.
 */
async function doctorLogs(names: readonly string[], indexed: readonly TopicFilter[], range: LogRange = {}): Promise<ChainLog[]> {
  const fragments = names.flatMap((name) => doctorEvents.get(name) ?? []);
  if (fragments.length === 0) return [];
  const byTopic = new Map(fragments.map((fragment) => [topicOf(fragment), fragment]));
  const topics: (string | string[] | null)[] = [
    [...byTopic.keys()],
    ...indexed.map((value) => (value === undefined ? null : typeof value === "object" ? value.map(asTopic) : asTopic(value))),
  ];
  while (topics.length > 1 && topics[topics.length - 1] === null) topics.pop();
  const address = doctor().options.address;
  const logs = await chainRead(() =>
    web3().eth.getPastLogs({ address, fromBlock: range.fromBlock ?? 0n, toBlock: range.toBlock ?? "latest", topics: topics as string[] }),
  );
  const decoded: ChainLog[] = [];
  for (const log of logs) {
    if (typeof log === "string" || !log.topics?.length || log.removed) continue;
    const logTopics = log.topics.map((topic) => String(topic).toLowerCase());
    const fragment = byTopic.get(logTopics[0] as Hex);
    if (!fragment) continue;
    const args = web3().eth.abi.decodeLog(fragment.inputs, String(log.data ?? "0x"), logTopics.slice(1)) as Record<string, unknown>;
    decoded.push({
      name: fragment.name,
      args,
      blockNumber: BigInt(log.blockNumber ?? 0),
      blockHash: lower(log.blockHash),
      logIndex: Number(log.logIndex ?? 0),
      txHash: lower(log.transactionHash),
    });
  }
  return decoded.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}

/** EmergencyAccessRequested. */
export interface EmergencyRequestedEvent {
  requestId: bigint;
  doctor: Hex;
  patient: Hex;
  reasonCode: number;
  /** sha256 of the sealed note off chain, or undefined for none. */
  noteHash: Hex | undefined;
  log: ChainLog;
}

/** EmergencyAccessApproved, EmergencyAccessGranted or EmergencyAccessRefused. */
export type EmergencyDecisionEvent =
  | { kind: "approved"; requestId: bigint; admin: Hex; approvals: number; log: ChainLog }
  | { kind: "granted"; requestId: bigint; doctor: Hex; patient: Hex; grantedUntil: number; log: ChainLog }
  | { kind: "refused"; requestId: bigint; admin: Hex; log: ChainLog };

/** Emergency requests by doctor and/or patient (undefined = any), oldest first. */
export async function emergencyRequestedEvents(filter: { doctor?: string; patient?: string; requestId?: bigint } = {}, range: LogRange = {}): Promise<EmergencyRequestedEvent[]> {
  const logs = await doctorLogs(["EmergencyAccessRequested"], [filter.requestId, filter.doctor, filter.patient], range);
  return logs.map((log) => {
    const noteHash = lower(log.args.noteHash);
    return {
      requestId: BigInt(log.args.requestId as bigint),
      doctor: lower(log.args.doctor),
      patient: lower(log.args.patient),
      reasonCode: Number(log.args.reasonCode),
      noteHash: noteHash === ZERO_KEY ? undefined : noteHash,
      log,
    };
  });
}

/** Approvals, grants and refusals of the given requests (all requests when `requestIds` is undefined), oldest first. */
export async function emergencyDecisionEvents(requestIds?: readonly bigint[], range: LogRange = {}): Promise<EmergencyDecisionEvent[]> {
  if (requestIds && requestIds.length === 0) return [];
  const logs = await doctorLogs(["EmergencyAccessApproved", "EmergencyAccessGranted", "EmergencyAccessRefused"], [requestIds], range);
  return logs.map((log): EmergencyDecisionEvent => {
    const requestId = BigInt(log.args.requestId as bigint);
    if (log.name === "EmergencyAccessGranted") {
      return { kind: "granted", requestId, doctor: lower(log.args.doctor), patient: lower(log.args.patient), grantedUntil: Number(log.args.grantedUntil), log };
    }
    if (log.name === "EmergencyAccessApproved") return { kind: "approved", requestId, admin: lower(log.args.admin), approvals: Number(log.args.approvals), log };
    return { kind: "refused", requestId, admin: lower(log.args.admin), log };
  });
}

/** A request with its current state and who decided on it, for the patient's log, the doctor's and the admins' lists. */
export interface EmergencyRequestView extends EmergencyRequestOnChain {
  noteHash: Hex | undefined;
  approvedBy: Hex[];
  refusedBy: Hex | undefined;
  /** requestedAt + the current window: a pending request can no longer be approved from then on. */
  expiresAt: number;
  /** hasEmergencyAccess for this request's pair holds now and this is the pair's latest request. */
  open: boolean;
}

/**
 * The emergency requests for a patient, by a doctor, or both (newest first), each read at one block with its
 * approvers and refuser from the events.
 */
export async function emergencyRequests(filter: { doctor?: string; patient?: string }): Promise<EmergencyRequestView[]> {
  const block = BigInt(await chainRead(() => web3().eth.getBlockNumber()));
  const requested = await emergencyRequestedEvents(filter, { toBlock: block });
  return viewsOf(requested, block);
}

/** Every request still pending and younger than the window at the latest block (newest first): the admins' queue. */
export async function pendingEmergencyRequests(): Promise<EmergencyRequestView[]> {
  const block = BigInt(await chainRead(() => web3().eth.getBlockNumber()));
  const time = Number((await chainRead(() => web3().eth.getBlock(block, false))).timestamp);
  const requested = await emergencyRequestedEvents({}, { toBlock: block });
  const views = await viewsOf(requested, block);
  return views.filter((view) => view.state === "pending" && time < view.expiresAt);
}

async function viewsOf(requested: readonly EmergencyRequestedEvent[], block: bigint): Promise<EmergencyRequestView[]> {
  if (requested.length === 0) return [];
  const ids = requested.map((event) => event.requestId);
  const [requests, decisions, window] = await Promise.all([
    Promise.all(ids.map((id) => getEmergencyRequest(id, block))),
    emergencyDecisionEvents(ids, { toBlock: block }),
    emergencyWindow(block),
  ]);
  const latestOfPair = new Map<string, bigint>();
  for (const event of requested) latestOfPair.set(`${event.doctor}:${event.patient}`, event.requestId);
  const openPairs = await Promise.all(
    requested.map((event) =>
      latestOfPair.get(`${event.doctor}:${event.patient}`) === event.requestId ? hasEmergencyAccess(event.doctor, event.patient, block) : Promise.resolve(false),
    ),
  );
  const views: EmergencyRequestView[] = [];
  requested.forEach((event, i) => {
    const request = requests[i];
    if (!request) return;
    const own = decisions.filter((decision) => decision.requestId === event.requestId);
    views.push({
      ...request,
      noteHash: event.noteHash,
      approvedBy: own.flatMap((decision) => (decision.kind === "approved" ? [decision.admin] : [])),
      refusedBy: own.find((decision) => decision.kind === "refused")?.admin,
      expiresAt: request.requestedAt + window,
      open: openPairs[i]!,
    });
  });
  return views.reverse();
}
