import "server-only";
import { ApiError } from "@/lib/api";
import type { KeyRefusalReason } from "@/lib/api/schemas";
import { atBlock, doctorStatusAt, latestBlockSince } from "@/lib/chain/server/at-block";
import type { DoctorStatus } from "@/lib/chain/server/doctors";
import { accessEvents } from "@/lib/chain/server/events";
import { canRead, getGrants, indexOfRecord, patientOfRecord, recordCount } from "@/lib/chain/server/reads";

/** A doctor's RecordAccessed event must be at most this old, by the server's clock, to release a key. */
export const ACCESS_LOG_WINDOW_SECONDS = 15 * 60;
/**
 * How many blocks back from the latest the server looks for that event: bounds the eth_getLogs range. At
 * one block per transaction (Ganache) or per few seconds (a QBFT network), this covers the window with room.
 */
export const ACCESS_LOG_LOOKBACK_BLOCKS = 5_000n;

export type ReadDecision =
  | { allowed: true; reason: "patient" | "grant" }
  | { allowed: false; reason: KeyRefusalReason; /** the grant's expiry, for "expired" */ expiresAt?: number };

/**
 * What one request reads once, however many records it decides: the server's clock, the latest block (every
 * chain read of the request is made at that block, so they agree), the caller's doctor status and the
 * record counts of the patients involved. Reads at a block are shared with other requests deciding at the
 * same block (lib/chain/server/at-block.ts).
 */
export interface ReadContext {
  caller: `0x${string}`;
  /** The server's clock, unix seconds: grants are expired by it, not by an idle chain's last block time. */
  now: number;
  block(): Promise<bigint>;
  doctorStatus(): Promise<DoctorStatus>;
  recordCount(patient: string): Promise<bigint>;
}

export function readContext(caller: `0x${string}`): ReadContext {
  const arrived = performance.now();
  let block: Promise<bigint> | undefined;
  let status: Promise<DoctorStatus> | undefined;
  const counts = new Map<string, Promise<bigint>>();
  const context: ReadContext = {
    caller,
    now: Math.floor(Date.now() / 1000),
    block: () => (block ??= latestBlockSince(arrived)),
    doctorStatus: () => (status ??= context.block().then((at) => atBlock(at, `doctorStatus:${caller}`, () => doctorStatusAt(caller, at)))),
    recordCount(patient) {
      let count = counts.get(patient);
      if (!count) counts.set(patient, (count = context.block().then((at) => atBlock(at, `recordCount:${patient}`, () => recordCount(patient, at)))));
      return count;
    },
  };
  return context;
}

const refuse = (reason: KeyRefusalReason, expiresAt?: number): ReadDecision => ({ allowed: false, reason, ...(expiresAt !== undefined && { expiresAt }) });

/**
 * May the caller have this record's key (and content)? The record's patient (from the id itself) always. Anyone
 * else must be an active doctor ("inactive" otherwise; a non-doctor holds no grant) for whom (a) canRead holds
 * at the latest block and a grant covers the record ("no_grant", also for an unknown record), (b) the grant's
 * expiry (getGrants, 0 = never) is after the server's clock ("expired"), and, with `requireAccessLog`, (c) a
 * RecordAccessed(patient, caller, record) event has a block time within the last ACCESS_LOG_WINDOW_SECONDS of
 * the server's clock ("no_access_log"). A block time ahead of the server's clock counts as recent: the chain's
 * clock may run ahead (a test chain moved forward), and the event is still the doctor's latest opening.
 */
export async function authorizeRead(context: ReadContext, recordId: string, options: { requireAccessLog: boolean }): Promise<ReadDecision> {
  const id = BigInt(recordId);
  const patient = patientOfRecord(id);
  if (patient === context.caller) return { allowed: true, reason: "patient" };
  const status = await context.doctorStatus();
  if (status === "inactive") return refuse("inactive");
  if (status === "none") return refuse("no_grant");

  const block = await context.block();
  const index = indexOfRecord(id);
  const [readable, count] = await Promise.all([
    atBlock(block, `canRead:${context.caller}:${id}`, () => canRead(context.caller, id, block)),
    context.recordCount(patient),
  ]);
  if (index >= count) return refuse("no_grant");
  const [grant] = await atBlock(block, `grant:${patient}:${context.caller}:${index}`, () => getGrants(patient, context.caller, index, 1n, block));
  if (!grant?.granted) return refuse("no_grant");
  const expiresAt = grant.expiresAt;
  // Granted but not readable on chain: expired by the chain's clock (when the grant has an expiry), else the
  // doctor was deactivated since the status read.
  if (!readable) return expiresAt !== 0 ? refuse("expired", expiresAt) : refuse("no_grant");
  if (expiresAt !== 0 && expiresAt <= context.now) return refuse("expired", expiresAt);

  if (options.requireAccessLog) {
    const fromBlock = block > ACCESS_LOG_LOOKBACK_BLOCKS ? block - ACCESS_LOG_LOOKBACK_BLOCKS : 0n;
    const events = await atBlock(block, `accessed:${patient}:${context.caller}:${id}`, () =>
      accessEvents({ patient, doctor: context.caller, recordId: id }, { fromBlock, toBlock: block }),
    );
    if (!events.some((event) => event.time >= context.now - ACCESS_LOG_WINDOW_SECONDS)) return refuse("no_access_log");
  }
  return { allowed: true, reason: "grant" };
}

const utc = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** The 403 of a refusal: our message, and `details: { reason }` for the browser to act on. */
export function refusalError(decision: Extract<ReadDecision, { allowed: false }>): ApiError {
  const message = {
    inactive: "Your doctor account is deactivated.",
    no_grant: "You may not read this record.",
    expired: decision.expiresAt ? `Your access to this record expired on ${utc(decision.expiresAt)}.` : "Your access to this record expired.",
    no_access_log: "Log this access on chain first.",
  }[decision.reason];
  return new ApiError("forbidden", message, { reason: decision.reason });
}
