import { eth } from "web3";
import type { BrowserChain } from "./contracts";
import { ChainError } from "./errors";
import { transact, type SendableMethod, type TxReceipt, type TxStatus, type TxWallet } from "./transactor";

/**
 * The wallet behind `chain`, as the transactor drives it: raw JSON-RPC through the wallet's EIP-1193 provider
 * (its reads with their deadline, lib/wallet/read-deadline.ts). web3's own send is not used: its receipt
 * polling left an unhandled rejection behind whenever one receipt read failed, and asked the node three more
 * questions per transaction.
 */
function walletOf({ web3 }: BrowserChain): TxWallet {
  const rpc = (method: string, params: unknown[]) => web3.requestManager.send({ method, params } as Parameters<typeof web3.requestManager.send>[0]);
  return {
    sendTransaction: (tx) => rpc("eth_sendTransaction", [tx]),
    getTransactionReceipt: (hash) => rpc("eth_getTransactionReceipt", [hash]),
  };
}

/** Sends a contract method (chain.contracts.x.methods.y(...)) from the chain's account through the one transactor. */
export function sendFromAccount(chain: BrowserChain, method: unknown, onStatus?: (status: TxStatus) => void): Promise<TxReceipt> {
  return transact(method as SendableMethod, chain.account, walletOf(chain), onStatus);
}

interface EventAbi {
  type: string;
  name?: string;
  inputs?: readonly { name: string; type: string; indexed?: boolean }[];
}

/**
 * The arguments of event `name` (from `abi`) in a receipt: the first log of the contract at `address` that
 * carries it, decoded; undefined when there is none.
 */
export function eventInReceipt(receipt: TxReceipt, address: unknown, abi: readonly EventAbi[], name: string): Record<string, unknown> | undefined {
  const event = abi.find((entry) => entry.type === "event" && entry.name === name);
  if (!event?.inputs) throw new Error(`no event ${name} in the ABI`);
  const inputs = event.inputs.map((input) => ({ ...input, indexed: input.indexed ?? false }));
  const topic = eth.abi.encodeEventSignature(`${name}(${inputs.map((input) => input.type).join(",")})`).toLowerCase();
  const contract = String(address ?? "").toLowerCase();
  for (const log of receipt.logs ?? []) {
    const topics = (log.topics ?? []).map((topic) => topic.toLowerCase());
    if (topics[0] !== topic || String(log.address ?? "").toLowerCase() !== contract) continue;
    return eth.abi.decodeLog(inputs, log.data ?? "0x", topics.slice(1)) as Record<string, unknown>;
  }
  return undefined;
}

/**
 * The new record's id (decimal) that event `name` reports in its argument `field`. A mined receipt without it
 * is a ChainError that may be on chain: the caller must keep what the transaction refers to.
 */
export function newRecordIdIn(receipt: TxReceipt, address: unknown, abi: readonly EventAbi[], name: string, field: string): string {
  const args = eventInReceipt(receipt, address, abi, name);
  if (!args) throw new ChainError("The transaction did not report the new record", "failed", undefined, { mayBeOnChain: true, txHash: receipt.transactionHash });
  return BigInt(args[field] as bigint | string).toString();
}
