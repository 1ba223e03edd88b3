/*
 * DoctorContract's emergency request and emergency key as web3 returns them, read the same way in the browser
 * (lib/chain/client/doctor-contract.ts) and on the server (lib/chain/server/emergency.ts). Each side adds the
 * id and addresses in its own types (decimal strings in the browser, bigint and Hex on the server).
 */

/** DoctorContract.EmergencyRequestState. An expired request stays "pending" on chain: compare requestedAt + window. */
export type EmergencyRequestState = "pending" | "approved" | "refused";
const REQUEST_STATES: readonly EmergencyRequestState[] = ["pending", "approved", "refused"];

/** The fields of an emergency request (DoctorContract.getEmergencyRequest) besides its id and addresses; times in unix seconds. */
export interface EmergencyRequestFields {
  reasonCode: number;
  state: EmergencyRequestState;
  approvals: number;
  threshold: number;
  keyVersion: number;
  requestedAt: number;
  /** End of the access window once approved, 0 before. */
  grantedUntil: number;
}

/** Those fields from a getEmergencyRequest result. */
export function emergencyRequestFields(raw: Record<string, unknown>): EmergencyRequestFields {
  return {
    reasonCode: Number(raw.reasonCode),
    state: REQUEST_STATES[Number(raw.state)] ?? "pending",
    approvals: Number(raw.approvals),
    threshold: Number(raw.threshold),
    keyVersion: Number(raw.keyVersion),
    requestedAt: Number(raw.requestedAt),
    grantedUntil: Number(raw.grantedUntil),
  };
}

const ZERO_KEY = `0x${"0".repeat(64)}`;

/** A patient's emergency key on chain (DoctorContract.emergencyKeyOf). */
export interface EmergencyKeyOnChain {
  /** 0x + 64 lower-case hex; undefined when the patient is not opted in (never, or opted out). */
  key: `0x${string}` | undefined;
  threshold: number;
  /** Moves on at every opt-in, renewal and opt-out. */
  version: number;
}

/** An emergencyKeyOf result. */
export function emergencyKeyOnChain(raw: Record<string, unknown>): EmergencyKeyOnChain {
  const key = String(raw.key ?? raw[0]).toLowerCase() as `0x${string}`;
  return { key: key === ZERO_KEY ? undefined : key, threshold: Number(raw.threshold ?? raw[1]), version: Number(raw.version ?? raw[2]) };
}
