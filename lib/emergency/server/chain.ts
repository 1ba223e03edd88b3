import "server-only";
import { emergencyKeyOnChain, type EmergencyKeyOnChain } from "@/lib/chain/emergency-shape";
import { chainRead } from "@/lib/chain/server/chain-errors";
import { serverContracts } from "@/lib/chain/server/contracts";
import type { BlockTag, Hex } from "@/lib/chain/server/reads";
import { getServerWeb3 } from "@/lib/chain/server/web3";

/*
 * DoctorContract's emergency views as the emergency routes read them: lib/chain/server/emergency.ts (the
 * contract helper's module), plus the patient's key with its version even when not opted in (the next opt-in
 * must use version + 1 after an opt-out), and the request/decision events decoded from their signatures.
 */
export {
  adminEncryptionKeyOf,
  adminsWithKeys,
  emergencyAccessOf,
  emergencyRequestCount,
  emergencyThreshold,
  emergencyWindow,
  getAdmins,
  getEmergencyRequest,
  hasApprovedEmergency,
  hasEmergencyAccess,
  type EmergencyRequestOnChain,
} from "@/lib/chain/server/emergency";

type Call = { call(options?: object, block?: BlockTag): Promise<unknown> };
const methods = () => serverContracts().doctor.methods as unknown as Record<string, (...args: unknown[]) => Call>;

const lower = (value: unknown) => String(value).toLowerCase() as Hex;

/** The patient's emergency key (key undefined when not opted in), its threshold and version. */
export async function emergencyKeyOf(patient: string, block: BlockTag = "latest"): Promise<EmergencyKeyOnChain> {
  return emergencyKeyOnChain((await chainRead(() => methods().emergencyKeyOf!(patient).call({}, block))) as Record<string, unknown>);
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
  EmergencyKeySet: [
    { name: "patient", type: "address", indexed: true },
    { name: "key", type: "bytes32", indexed: false },
    { name: "threshold", type: "uint8", indexed: false },
    { name: "version", type: "uint32", indexed: false },
  ],
  AdminEncryptionKeySet: [
    { name: "admin", type: "address", indexed: true },
    { name: "key", type: "bytes32", indexed: false },
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

/**
 * The share holders of a patient's emergency key `version` whose share no longer opens with their key on chain:
 * the administrator's key at the block the version was set (their last AdminEncryptionKeySet up to it, the key
 * the patient's browser sealed for) differs from their key now, or they are no longer an administrator with a
 * key. Holders are lower case; the result keeps their order.
 */
export async function orphanedShareHolders(patient: string, version: number, holders: readonly string[], current: ReadonlyMap<string, string>): Promise<string[]> {
  if (holders.length === 0) return [];
  const set = (await emergencyLogs("EmergencyKeySet", [patient])).filter((log) => Number(log.args.version) === version).at(-1);
  if (!set) return [];
  const orphaned: string[] = [];
  for (const holder of holders) {
    const now = current.get(holder);
    if (!now) {
      orphaned.push(holder);
      continue;
    }
    const published = (await emergencyLogs("AdminEncryptionKeySet", [holder])).filter((log) => log.blockNumber <= set.blockNumber).at(-1);
    if (!published || lower(published.args.key) !== now) orphaned.push(holder);
  }
  return orphaned;
}
