import { parseChainError } from "./errors";

/** What a transaction is doing, for a progress display: pending (in the wallet) -> hash -> receipt. */
export type TxStatus =
  | { stage: "checking" }
  | { stage: "pending" }
  | { stage: "sent"; hash: string }
  | { stage: "confirmed"; hash: string; blockNumber: bigint };

export type TxReceipt = {
  transactionHash: string | Uint8Array;
  blockNumber: bigint | number | string;
  status: bigint | number | string;
  events?: Record<string, { returnValues: Record<string, unknown> } | undefined>;
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

/**
 * The one transactor: simulates the call (so a revert is reported with its custom error before the wallet
 * asks anything), estimates gas with a margin, sends through the wallet and reports each stage.
 * Throws a ChainError (rejected / reverted / failed).
 */
export async function transact(method: SendableMethod, from: string, onStatus?: (status: TxStatus) => void): Promise<TxReceipt> {
  try {
    onStatus?.({ stage: "checking" });
    await method.call({ from });
    const estimate = BigInt(await method.estimateGas({ from }));
    onStatus?.({ stage: "pending" });
    const sending = method.send({ from, gas: ((estimate * 13n) / 10n + 10_000n).toString() });
    sending.on("transactionHash", (hash) => onStatus?.({ stage: "sent", hash: String(hash) }));
    const receipt = (await sending) as TxReceipt;
    if (BigInt(receipt.status) !== 1n) throw new Error("The transaction was reverted.");
    const hash = typeof receipt.transactionHash === "string" ? receipt.transactionHash : "";
    onStatus?.({ stage: "confirmed", hash, blockNumber: BigInt(receipt.blockNumber) });
    return receipt;
  } catch (error) {
    throw parseChainError(error);
  }
}
