import "server-only";
import { chainRead } from "./chain-errors";
import { serverContracts } from "./contracts";
import type { DoctorStatus } from "./doctors";
import { latestBlockNumber } from "./reads";

/*
 * Chain reads made at a fixed block number never change (Ganache and QBFT do not reorganise), so requests that
 * decide at the same latest block share them: under load, N doctors' key requests between two blocks cost
 * one canRead / getGrants / event lookup per distinct question, not N. Only the newest block's answers are
 * kept; a newer block empties the cache. A failed read is not kept.
 *
 * The latest block number itself is read once per request, but a request may join an eth_blockNumber that
 * another request sent after this one arrived: its answer is then at least as new as the request, exactly as
 * if the request had asked itself.
 */
const MAX_ENTRIES = 50_000;
let cachedBlock = -1n;
const answers = new Map<string, Promise<unknown>>();

/** `read()` at `block`, shared with every other caller asking `key` at the same (newest seen) block. */
export function atBlock<T>(block: bigint, key: string, read: () => Promise<T>): Promise<T> {
  if (block > cachedBlock) {
    answers.clear();
    cachedBlock = block;
  }
  if (block < cachedBlock) return read(); // an older block than the newest seen: not worth keeping
  let answer = answers.get(key) as Promise<T> | undefined;
  if (!answer) {
    if (answers.size >= MAX_ENTRIES) answers.clear();
    answer = read();
    answers.set(key, answer);
    answer.catch(() => {
      if (answers.get(key) === answer) answers.delete(key);
    });
  }
  return answer;
}

let pending: { sentAt: number; block: Promise<bigint> } | undefined;

/** The latest block number, read after `since` (performance.now() when the request arrived). */
export function latestBlockSince(since: number): Promise<bigint> {
  if (pending && pending.sentAt >= since) return pending.block;
  const mine = { sentAt: performance.now(), block: latestBlockNumber() };
  pending = mine;
  const clear = () => {
    if (pending === mine) pending = undefined;
  };
  mine.block.then(clear, clear);
  return mine.block;
}

/** DoctorContract's view of `address` at `block` (like doctors.ts doctorStatus, which reads at the latest). */
export async function doctorStatusAt(address: string, block: bigint): Promise<DoctorStatus> {
  const { doctor } = serverContracts();
  if (await chainRead(() => doctor.methods.isActiveDoctor(address).call({}, block))) return "active";
  return (await chainRead(() => doctor.methods.isDoctor(address).call({}, block))) ? "inactive" : "none";
}
