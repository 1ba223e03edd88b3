import { eth } from "web3";
import { doctorContractAbi, patientContractAbi } from "@/lib/chain/generated/contracts";
import { USER_REJECTED } from "@/lib/wallet/eip1193";

export interface ChainErrorOptions {
  /**
   * False only when the transaction certainly changed nothing on chain (simulation refused, the wallet
   * rejected before sending, or a receipt showing a revert). True, the default, whenever it might still
   * be mined: callers must then keep whatever the transaction refers to.
   */
  mayBeOnChain?: boolean;
  /** The hash, once the wallet sent the transaction. */
  txHash?: string;
}

/** A transaction or call that failed, explained in words a patient can act on. */
export class ChainError extends Error {
  override name = "ChainError";
  readonly mayBeOnChain: boolean;
  readonly txHash?: string;
  constructor(
    message: string,
    /** "rejected" when the user declined in the wallet; "reverted" with the custom error's name. */
    readonly kind: "rejected" | "reverted" | "failed",
    readonly errorName?: string,
    options: ChainErrorOptions = {},
  ) {
    super(message);
    this.mayBeOnChain = options.mayBeOnChain ?? true;
    this.txHash = options.txHash;
  }
}

export const REJECTED_MESSAGE = "You rejected the transaction in your wallet";

interface ErrorEntry {
  name: string;
  inputs: readonly { name: string; type: string }[];
}

// selector (0x + 8 hex) -> ABI error entry, from every contract's ABI (errors may bubble across contracts).
const errorsBySelector: Map<string, ErrorEntry> = (() => {
  const map = new Map<string, ErrorEntry>();
  for (const entry of [...patientContractAbi, ...doctorContractAbi]) {
    if (entry.type !== "error") continue;
    const error = entry as unknown as ErrorEntry;
    const signature = `${error.name}(${error.inputs.map((input) => input.type).join(",")})`;
    // encodeErrorSignature gives the whole keccak256 hash; the selector is its first 4 bytes.
    map.set(eth.abi.encodeErrorSignature(signature).slice(0, 10).toLowerCase(), error);
  }
  return map;
})();

/** Finds revert data (0x + selector + args) and an EIP-1193 code anywhere in a nested wallet/web3 error. */
function scan(error: unknown): { codes: number[]; data: string[]; messages: string[] } {
  const found = { codes: [] as number[], data: [] as string[], messages: [] as string[] };
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 8 || value === null || value === undefined || seen.has(value)) return;
    if (typeof value === "string") {
      if (/^0x[0-9a-fA-F]{8}([0-9a-fA-F]{64})*$/.test(value)) found.data.push(value.toLowerCase());
      return;
    }
    if (typeof value !== "object") return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (typeof record.code === "number") found.codes.push(record.code);
    if (typeof record.message === "string") found.messages.push(record.message);
    for (const key of ["data", "cause", "innerError", "error", "originalError", "reason", "result"]) visit(record[key], depth + 1);
    // Ganache (older forms) keys revert data by transaction hash: { data: { "0xhash": { return: "0x..." } } }
    if (record.return !== undefined) visit(record.return, depth + 1);
    if (typeof record.data === "object" && record.data !== null) {
      for (const inner of Object.values(record.data as Record<string, unknown>)) visit(inner, depth + 1);
    }
  };
  visit(error, 0);
  return found;
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
}

/** Decodes revert data with the contracts' custom errors: "PatientContractNotRegistered(0xabc…)". */
export function decodeRevert(data: string): string | undefined {
  const entry = errorsBySelector.get(data.slice(0, 10).toLowerCase());
  if (!entry) return undefined;
  if (entry.inputs.length === 0) return `${entry.name}()`;
  try {
    const decoded = eth.abi.decodeParameters([...entry.inputs], `0x${data.slice(10)}`);
    const args = entry.inputs.map((_input, index) => formatArg(decoded[index]));
    return `${entry.name}(${args.join(", ")})`;
  } catch {
    return `${entry.name}(…)`;
  }
}

/** The one error parser: wallet rejection, custom-error revert, or the wallet's own message. */
export function parseChainError(error: unknown, options: ChainErrorOptions = {}): ChainError {
  if (error instanceof ChainError) return error;
  const { codes, data, messages } = scan(error);
  if (codes.includes(USER_REJECTED)) return new ChainError(REJECTED_MESSAGE, "rejected", undefined, options);
  for (const candidate of data) {
    const decoded = decodeRevert(candidate);
    if (decoded) return new ChainError(`The contract refused: ${decoded}`, "reverted", decoded.slice(0, decoded.indexOf("(")), options);
  }
  const message = messages.find((text) => text.trim().length > 0) ?? "The transaction failed.";
  return new ChainError(message, "failed", undefined, options);
}
