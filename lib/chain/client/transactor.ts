import { ChainError, parseChainError } from "./errors";

/** What a transaction is doing, for a progress display: pending (in the wallet) -> hash -> receipt. */
export type TxStatus =
  | { stage: "checking" }
  | { stage: "pending" }
  | { stage: "sent"; hash: string }
  | { stage: "waiting"; hash: string; attempt: number }
  | { stage: "confirmed"; hash: string; blockNumber: bigint };

export type TxReceipt = {
  transactionHash: string | Uint8Array;
  blockNumber: bigint | number | string;
  status: bigint | number | string;
  events?: Record<string, { returnValues: Record<string, unknown> } | undefined>;
  logs?: readonly { address?: string; topics?: readonly (string | Uint8Array)[]; data?: string | Uint8Array }[];
};

interface PromiEventLike<T> extends Promise<T> {
  on(event: "transactionHash", listener: (hash: string) => void): unknown;
}

/** The web3 v4 method object surface we drive (contract.methods.x(...)). */
export interface SendableMethod {
  call(options: { from: string }): Promise<unknown>;
  estimateGas(options: { from: string }): Promise<bigint | number>;
  send(options: { from: string; gas: string }): PromiEventLike<unknown>;
}

/** Where receipts are read from once a transaction has a hash (web3.eth in the browser). */
export interface ReceiptSource {
  getTransactionReceipt(hash: string): Promise<unknown>;
}

export interface TransactOptions {
  /** Reads the receipt when the wallet's own wait fails after the hash is known (transient RPC errors). */
  receipts?: ReceiptSource;
  /** How long to keep asking for the receipt of a sent transaction (ms); default 10 minutes. */
  receiptTimeoutMs?: number;
  /** Pause between receipt polls (ms); default 1 s, doubling up to 5 s. */
  receiptPollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls for the receipt of a sent transaction, retrying on any RPC error (a flaky node or wallet must not
 * turn a sent transaction into a "failed" one). Returns undefined only when the deadline passes.
 */
async function waitForReceipt(
  source: ReceiptSource,
  hash: string,
  onStatus: ((status: TxStatus) => void) | undefined,
  { receiptTimeoutMs = 10 * 60_000, receiptPollMs = 1_000 }: TransactOptions,
): Promise<TxReceipt | undefined> {
  const deadline = Date.now() + receiptTimeoutMs;
  let pause = receiptPollMs;
  for (let attempt = 1; ; attempt++) {
    onStatus?.({ stage: "waiting", hash, attempt });
    try {
      const receipt = (await source.getTransactionReceipt(hash)) as TxReceipt | null | undefined;
      if (receipt && receipt.blockNumber !== undefined && receipt.blockNumber !== null) return receipt;
    } catch {
      // not found yet (some providers throw), or a transient RPC failure: ask again
    }
    if (Date.now() + pause > deadline) return undefined;
    await sleep(pause);
    pause = Math.min(pause * 2, 5_000);
  }
}

/**
 * The one transactor: estimates gas (with a margin), sends through the wallet and reports each stage. A
 * call that would revert is reported with the contract's custom error before the wallet asks anything.
 *
 * Throws a ChainError (rejected / reverted / failed) whose `mayBeOnChain` is false only when the
 * transaction certainly changed nothing: the simulation or the gas estimate failed, the wallet refused
 * (4001) before giving a hash, or the receipt shows a revert. Once the transaction has a hash, a failure
 * of the wallet's own wait is never taken as a failure of the transaction: the receipt is polled (through
 * `options.receipts`) until it arrives, and a missing receipt is reported with `mayBeOnChain` true.
 */
export async function transact(method: SendableMethod, from: string, onStatus?: (status: TxStatus) => void, options: TransactOptions = {}): Promise<TxReceipt> {
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

  // 2. The wallet signs and sends.
  onStatus?.({ stage: "pending" });
  let hash: string | undefined;
  let receipt: TxReceipt | undefined;
  let sendError: unknown;
  try {
    const sending = method.send({ from, gas: ((estimate * 13n) / 10n + 10_000n).toString() });
    sending.on("transactionHash", (sent) => {
      hash = String(sent);
      onStatus?.({ stage: "sent", hash });
    });
    receipt = (await sending) as TxReceipt;
  } catch (error) {
    sendError = error;
  }

  if (sendError !== undefined) {
    const parsed = parseChainError(sendError);
    if (hash === undefined) {
      // No hash: a wallet refusal (4001) sent nothing. Anything else may still have been broadcast.
      throw new ChainError(parsed.message, parsed.kind, parsed.errorName, { mayBeOnChain: parsed.kind !== "rejected" });
    }
    // 3. Sent: the wallet's wait failed (RPC hiccup, timeout, or a revert it noticed). Ask the chain.
    const polled = options.receipts ? await waitForReceipt(options.receipts, hash, onStatus, options) : undefined;
    if (!polled) {
      throw new ChainError(
        `The transaction was sent (${hash}) but its result could not be read yet (${parsed.message})`,
        "failed",
        undefined,
        { mayBeOnChain: true, txHash: hash },
      );
    }
    if (BigInt(polled.status) !== 1n) {
      const reason = parsed.kind === "reverted" ? parsed.message : "The transaction was reverted";
      throw new ChainError(reason, "reverted", parsed.errorName, { mayBeOnChain: false, txHash: hash });
    }
    receipt = polled;
  }

  const final = receipt!;
  const finalHash = typeof final.transactionHash === "string" ? final.transactionHash : (hash ?? "");
  if (BigInt(final.status) !== 1n) {
    throw new ChainError("The transaction was reverted", "reverted", undefined, { mayBeOnChain: false, txHash: finalHash });
  }
  onStatus?.({ stage: "confirmed", hash: finalHash, blockNumber: BigInt(final.blockNumber) });
  return final;
}
