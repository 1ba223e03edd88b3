import "server-only";
import type { GrantHistoryKind } from "@/lib/api/schemas";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import { chainRead } from "./chain-errors";
import { serverContracts } from "./contracts";
import type { Hex } from "./reads";
import { getServerWeb3 } from "./web3";

/**
 * PatientContract events read with eth_getLogs, filtered by their indexed topics (patient, doctor, record),
 * so the node does the filtering. Events are found by name in the generated ABI: one the deployed contract
 * does not have (AllAccessExpiryUpdated before that contract change) is simply never returned.
 */

interface EventInput {
  name: string;
  type: string;
  indexed?: boolean;
}
interface EventFragment {
  name: string;
  inputs: EventInput[];
}

const web3 = () => getServerWeb3();

const patientEvents = new Map(
  (patientContractAbi as readonly { type: string; name?: string; inputs?: readonly EventInput[] }[])
    .filter((entry) => entry.type === "event" && entry.name)
    .map((entry) => [entry.name!, { name: entry.name!, inputs: [...(entry.inputs ?? [])] } satisfies EventFragment]),
);

const signatureOf = (fragment: EventFragment) => `${fragment.name}(${fragment.inputs.map((input) => input.type).join(",")})`;
const topicCache = new Map<string, Hex>();
function topicOf(fragment: EventFragment): Hex {
  let topic = topicCache.get(fragment.name);
  if (!topic) topicCache.set(fragment.name, (topic = web3().eth.abi.encodeEventSignature(signatureOf(fragment)).toLowerCase() as Hex));
  return topic;
}

/** An indexed value as its topic: an address or a uint256, left-padded to 32 bytes. */
const asTopic = (value: string | bigint): Hex => `0x${BigInt(value).toString(16).padStart(64, "0")}`;

export interface ChainLog {
  name: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  blockHash: Hex;
  logIndex: number;
  txHash: Hex;
}

export interface LogRange {
  fromBlock?: bigint;
  toBlock?: bigint | "latest";
}

/**
 * Logs of the named PatientContract events whose indexed arguments match `indexed` (positional, after the
 * signature; undefined = any), oldest first. Every named event must index the same leading arguments.
 */
async function patientLogs(names: readonly string[], indexed: ReadonlyArray<string | bigint | undefined>, range: LogRange = {}): Promise<ChainLog[]> {
  const fragments = names.flatMap((name) => patientEvents.get(name) ?? []);
  if (fragments.length === 0) return [];
  const byTopic = new Map(fragments.map((fragment) => [topicOf(fragment), fragment]));
  const topics = [[...byTopic.keys()], ...indexed.map((value) => (value === undefined ? null : asTopic(value)))];
  while (topics.length > 1 && topics[topics.length - 1] === null) topics.pop();
  const address = serverContracts().patient.options.address;
  const logs = await chainRead(() =>
    web3().eth.getPastLogs({ address, fromBlock: range.fromBlock ?? 0n, toBlock: range.toBlock ?? "latest", topics: topics as string[] }),
  );
  const decoded: ChainLog[] = [];
  for (const log of logs) {
    if (typeof log === "string" || !log.topics?.length) continue;
    const logTopics = log.topics.map((topic) => String(topic).toLowerCase());
    const fragment = byTopic.get(logTopics[0] as Hex);
    if (!fragment || log.removed) continue;
    const args = web3().eth.abi.decodeLog(fragment.inputs, String(log.data ?? "0x"), logTopics.slice(1)) as Record<string, unknown>;
    decoded.push({
      name: fragment.name,
      args,
      blockNumber: BigInt(log.blockNumber ?? 0),
      blockHash: String(log.blockHash).toLowerCase() as Hex,
      logIndex: Number(log.logIndex ?? 0),
      txHash: String(log.transactionHash).toLowerCase() as Hex,
    });
  }
  return decoded.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}

const blockTimes = new Map<string, number>();
const BLOCK_TIME_CACHE = 10_000;

/** A block's timestamp (unix seconds), cached by block hash (a hash names one block for good). */
async function blockTime(blockHash: Hex): Promise<number> {
  const cached = blockTimes.get(blockHash);
  if (cached !== undefined) return cached;
  const block = await chainRead(() => web3().eth.getBlock(blockHash, false));
  const time = Number(block.timestamp);
  if (blockTimes.size >= BLOCK_TIME_CACHE) blockTimes.clear();
  blockTimes.set(blockHash, time);
  return time;
}

/** Block times of many logs, one getBlock per distinct block. */
export async function logTimes(logs: readonly ChainLog[]): Promise<Map<Hex, number>> {
  const hashes = [...new Set(logs.map((log) => log.blockHash))];
  const times = await Promise.all(hashes.map(blockTime));
  return new Map(hashes.map((hash, i) => [hash, times[i]!]));
}

const address = (value: unknown) => String(value).toLowerCase() as Hex;

// --- grants ---------------------------------------------------------------------------------------------
/** The kinds the access log's history shows (lib/api/schemas). */
type GrantEventKind = GrantHistoryKind;

const GRANT_EVENTS: Record<string, GrantEventKind> = {
  AccessGranted: "granted",
  AllAccessGranted: "all_granted",
  AllAccessExpiryUpdated: "all_expiry_updated",
  AccessRevoked: "revoked",
  AllAccessRevoked: "all_revoked",
};

export interface GrantEvent {
  kind: GrantEventKind;
  patient: Hex;
  doctor: Hex;
  recordId?: bigint;
  expiresAt?: number;
  log: ChainLog;
}

/** Grants, expiry changes and revocations between a patient and doctors (either side may be undefined = any), oldest first. */
export async function grantEvents(filter: { patient?: string; doctor?: string; kinds?: readonly GrantEventKind[] }, range: LogRange = {}): Promise<GrantEvent[]> {
  const names = Object.keys(GRANT_EVENTS).filter((name) => !filter.kinds || filter.kinds.includes(GRANT_EVENTS[name]!));
  const logs = await patientLogs(names, [filter.patient, filter.doctor], range);
  return logs.map((log) => ({
    kind: GRANT_EVENTS[log.name]!,
    patient: address(log.args.patient),
    doctor: address(log.args.doctor),
    ...(log.args.recordId !== undefined && { recordId: BigInt(log.args.recordId as bigint) }),
    ...(log.args.expiresAt !== undefined && { expiresAt: Number(log.args.expiresAt) }),
    log,
  }));
}

// --- access log -----------------------------------------------------------------------------------------
export interface AccessEvent {
  patient: Hex;
  doctor: Hex;
  recordId: bigint;
  /** The block time the contract wrote into the event, unix seconds. */
  time: number;
  log: ChainLog;
}

/** RecordAccessed events (each filter field undefined = any), oldest first. */
export async function accessEvents(filter: { patient?: string; doctor?: string; recordId?: bigint }, range: LogRange = {}): Promise<AccessEvent[]> {
  const logs = await patientLogs(["RecordAccessed"], [filter.patient, filter.doctor, filter.recordId], range);
  return logs.map((log) => ({
    patient: address(log.args.patient),
    doctor: address(log.args.doctor),
    recordId: BigInt(log.args.recordId as bigint),
    time: Number(log.args.time),
    log,
  }));
}

/** How many times each named event was emitted by PatientContract. */
export async function countPatientEvents(name: string): Promise<number> {
  return (await patientLogs([name], [])).length;
}

// --- the patients who granted a doctor, scanned incrementally -------------------------------------------
/** A patient who granted a doctor something, and where their newest grant sits on chain. */
export interface Granter {
  patient: Hex;
  block: bigint;
  logIndex: number;
}

interface GranterScan {
  contract: string;
  /** The last block scanned, and its hash (a different hash there: the chain was replaced, scan again). */
  to: bigint;
  toHash: Hex;
  /** Newest grant first, one entry per patient. */
  ordered: readonly Granter[];
}

const granterScans = new Map<Hex, GranterScan>();
const MAX_GRANTER_SCANS = 1_000;
const newerFirst = (a: Granter, b: Granter) => (a.block === b.block ? b.logIndex - a.logIndex : a.block > b.block ? -1 : 1);

async function blockHashAt(number: bigint): Promise<Hex | undefined> {
  const block = await chainRead(() => web3().eth.getBlock(number, false)).catch(() => undefined);
  return block?.hash ? (String(block.hash).toLowerCase() as Hex) : undefined;
}

/**
 * Where each AccessGranted / AllAccessGranted to `doctor` in [from, to] sits, oldest first, from the raw
 * eth_getLogs answer: the patient is the first indexed argument (topic 1), so nothing is ABI-decoded or
 * reformatted, which is most of the time a thousand grants would otherwise take.
 */
async function grantPositions(doctor: Hex, from: bigint, to: bigint): Promise<Granter[]> {
  const topics = ["AccessGranted", "AllAccessGranted"].flatMap((name) => {
    const fragment = patientEvents.get(name);
    return fragment ? [topicOf(fragment)] : [];
  });
  const filter = {
    address: String(serverContracts().patient.options.address),
    fromBlock: `0x${from.toString(16)}`,
    toBlock: `0x${to.toString(16)}`,
    topics: [topics, null, asTopic(doctor)],
  };
  type RawLog = { topics?: string[]; blockNumber?: string; logIndex?: string; removed?: boolean };
  const logs = (await chainRead(() => web3().requestManager.send({ method: "eth_getLogs", params: [filter] }))) as RawLog[];
  return logs
    .filter((log) => !log.removed && (log.topics?.length ?? 0) >= 3 && topics.includes(String(log.topics![0]).toLowerCase() as Hex))
    .map((log) => ({ patient: `0x${String(log.topics![1]).slice(-40).toLowerCase()}` as Hex, block: BigInt(log.blockNumber ?? 0), logIndex: Number(log.logIndex ?? 0) }))
    .sort((a, b) => -newerFirst(a, b));
}

/**
 * Every patient who ever granted `doctor` anything (AccessGranted, AllAccessGranted), newest grant first, at
 * the latest block (returned: read what they hold at that block). The scan is incremental: what earlier calls
 * found for this doctor (addresses and log positions, public chain data and no secret) is kept in memory, and
 * only the blocks after it are read with eth_getLogs, so a request costs the blocks since the last one, not
 * the chain's history. Where the kept scan's last block no longer has the same hash (a replaced chain), it
 * scans again from block 0.
 */
export async function grantersOf(doctor: string): Promise<{ granters: readonly Granter[]; block: bigint }> {
  const key = address(doctor);
  const contract = String(serverContracts().patient.options.address).toLowerCase();
  const latest = await chainRead(() => web3().eth.getBlock("latest", false));
  const block = BigInt(latest.number ?? 0);
  const latestHash = String(latest.hash).toLowerCase() as Hex;
  const scanFrom = async (previous: GranterScan | undefined): Promise<GranterScan> => {
    const from = previous ? previous.to + 1n : 0n;
    const fresh = from <= block ? await grantPositions(key, from, block) : [];
    if (previous && fresh.length === 0) return { ...previous, to: block, toHash: latestHash };
    const newest = new Map((previous?.ordered ?? []).map((granter) => [granter.patient, granter]));
    for (const granter of fresh) newest.set(granter.patient, granter);
    return { contract, to: block, toHash: latestHash, ordered: [...newest.values()].sort(newerFirst) };
  };
  let scan = granterScans.get(key);
  if (scan && (scan.contract !== contract || (await blockHashAt(scan.to)) !== scan.toHash)) scan = undefined;
  if (!scan || scan.to < block) {
    scan = await scanFrom(scan);
    // Another request may have scanned further meanwhile: keep the furthest.
    const kept = granterScans.get(key);
    if (!kept || kept.contract !== contract || kept.to <= scan.to) {
      granterScans.delete(key);
      if (granterScans.size >= MAX_GRANTER_SCANS) granterScans.delete(granterScans.keys().next().value!);
      granterScans.set(key, scan);
    }
  }
  // A concurrent request may have scanned past this request's block: its list is used as it is (a patient
  // whose first grant came after `block` then shows what they held at `block`: nothing).
  return { granters: scan.ordered, block };
}
