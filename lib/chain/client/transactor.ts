import { ChainError, parseChainError } from "./errors";

/** What a transaction is doing, for a progress display: pending (in the wallet) -> hash -> receipt. */
export type TxStatus =
  | { stage: "checking" }
  | { stage: "pending" }
  | { stage: "sent"; hash: string }
  | { stage: "waiting"; hash: string; attempt: number }
  | { stage: "confirmed"; hash: string; blockNumber: bigint };

/** A receipt as the node's JSON-RPC answers it (quantities as 0x hex). */
export type TxReceipt = {
  transactionHash: string;
  blockNumber: string;
  status: string;
  logs?: readonly { address?: string; topics?: readonly string[]; data?: string }[];
};

/** The web3 v4 method object surface we drive (contract.methods.x(...)). */
export interface SendableMethod {
  call(options: { from: string }): Promise<unknown>;
  estimateGas(options: { from: string }): Promise<bigint | number>;
  /** The transaction web3 would send: its `to` (the contract's address) and its data (selector and arguments). */
  populateTransaction(options: { from: string }): { to?: unknown; data?: unknown; input?: unknown };
}

/** The wallet, as a transaction needs it: raw JSON-RPC through its EIP-1193 provider. */
export interface TxWallet {
  /** eth_sendTransaction: the wallet asks the user, signs and broadcasts; resolves with the hash. */
  sendTransaction(tx: { from: string; to: string; data: string; gas: string }): Promise<unknown>;
  /** eth_getTransactionReceipt from the node behind the wallet (null until mined). */
  getTransactionReceipt(hash: string): Promise<unknown>;
}

export interface TransactOptions {
  /** How long to keep asking for the receipt of a sent transaction (ms); default 10 minutes. */
  receiptTimeoutMs?: number;
  /** Pause after the first receipt poll finds nothing (ms), doubling up to 2 s; default 250 ms. */
  receiptPollMs?: number;
}

const MAX_RECEIPT_PAUSE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls for the receipt of a sent transaction, retrying on any RPC error (a flaky node or wallet must not
 * turn a sent transaction into a "failed" one). The first poll is at once (a development chain has mined it
 * by then); each later one is reported as "waiting". Returns undefined only when the deadline passes.
 */
async function waitForReceipt(
  wallet: TxWallet,
  hash: string,
  onStatus: ((status: TxStatus) => void) | undefined,
  { receiptTimeoutMs = 10 * 60_000, receiptPollMs = 250 }: TransactOptions,
): Promise<TxReceipt | undefined> {
  const deadline = Date.now() + receiptTimeoutMs;
  let pause = receiptPollMs;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) onStatus?.({ stage: "waiting", hash, attempt });
    try {
      const receipt = (await wallet.getTransactionReceipt(hash)) as TxReceipt | null | undefined;
      if (receipt && receipt.blockNumber !== undefined && receipt.blockNumber !== null) return receipt;
    } catch {
      // not found yet (some providers throw), or a transient RPC failure: ask again
    }
    if (Date.now() + pause > deadline) return undefined;
    await sleep(pause);
    pause = Math.min(pause * 2, MAX_RECEIPT_PAUSE_MS);
  }
}

/**
 * The one transactor: estimates gas (with a margin), has the wallet sign and broadcast the transaction, waits
 * for its receipt and reports each stage. A call that would revert is reported with the contract's custom
 * error before the wallet asks anything.
 *
 * Throws a ChainError (rejected / reverted / failed) whose `mayBeOnChain` is false only when the
 * transaction certainly changed nothing: the estimate failed, the wallet refused (4001) before giving a
 * hash, or the receipt shows a revert. Once the transaction has a hash, a failed receipt read is never taken
 * as a failure of the transaction: the receipt is asked for until it arrives, and one that does not arrive
 * in time is reported with `mayBeOnChain` true.
 */
export async function transact(
  method: SendableMethod,
  from: string,
  wallet: TxWallet,
  onStatus?: (status: TxStatus) => void,
  options: TransactOptions = {},
): Promise<TxReceipt> {
  // 1. Before the wallet is asked: nothing can reach the chain.
  let estimate: bigint;
  try {
    onStatus?.({ stage: "checking" });
    estimate = BigInt(await method.estimateGas({ from }));
  } catch (estimateError) {
    // The estimate runs the call as it would be mined, so a successful one needs no simulation beside it (on
    // Ganache that halves the node's work for a transaction). A failed one does: web3 drops the revert data
    // of a failed estimate, and the simulation's error carries the contract's custom error.
    let simulationError: unknown;
    try {
      await method.call({ from });
    } catch (error) {
      simulationError = error;
    }
    throw parseChainError(simulationError ?? estimateError, { mayBeOnChain: false });
  }

  // 2. The wallet signs and broadcasts: its answer is the hash.
  onStatus?.({ stage: "pending" });
  let hash: string;
  try {
    // web3 puts the encoded call in `data` or `input`, as its contractDataInputFill says.
    const populated = method.populateTransaction({ from });
    const tx = { from, to: String(populated.to), data: String(populated.data ?? populated.input), gas: `0x${((estimate * 13n) / 10n + 10_000n).toString(16)}` };
    hash = String(await wallet.sendTransaction(tx));
  } catch (error) {
    // No hash: a refusal in the wallet (4001) sent nothing; anything else may still have been broadcast.
    const parsed = parseChainError(error);
    throw new ChainError(parsed.message, parsed.kind, parsed.errorName, { mayBeOnChain: parsed.kind !== "rejected" });
  }
  onStatus?.({ stage: "sent", hash });

  // 3. Mined: the receipt says whether it ran.
  const receipt = await waitForReceipt(wallet, hash, onStatus, options);
  if (!receipt) {
    throw new ChainError(`The transaction was sent (${hash}) but its result could not be read yet`, "failed", undefined, { mayBeOnChain: true, txHash: hash });
  }
  if (BigInt(receipt.status) !== 1n) {
    throw new ChainError("The transaction was reverted", "reverted", undefined, { mayBeOnChain: false, txHash: hash });
  }
  onStatus?.({ stage: "confirmed", hash, blockNumber: BigInt(receipt.blockNumber) });
  return receipt;
}
