import type { Eip1193Provider } from "./eip1193";

/**
 * Requests a wallet answers from its node without asking the user. A wallet or node that never answers one of
 * these would leave a page "Checking…" forever; with a deadline the page shows an error and can be retried.
 * Everything else (transactions, signatures, account and network requests) waits for the user, as long as
 * the user takes.
 */
const READS = new Set([
  "eth_blockNumber",
  "eth_call",
  "eth_chainId",
  "eth_estimateGas",
  "eth_feeHistory",
  "eth_gasPrice",
  "eth_getBalance",
  "eth_getBlockByHash",
  "eth_getBlockByNumber",
  "eth_getCode",
  "eth_getLogs",
  "eth_getTransactionByHash",
  "eth_getTransactionCount",
  "eth_getTransactionReceipt",
  "eth_maxPriorityFeePerGas",
  "net_version",
]);

export const WALLET_READ_TIMEOUT_MS = 30_000;

/** A read the wallet did not answer in time (EIP-1193 code 4900 would say "disconnected"; this is a JSON-RPC internal error). */
export class WalletReadTimeoutError extends Error {
  override name = "WalletReadTimeoutError";
  readonly code = -32603;
  constructor(method: string, timeoutMs: number) {
    super(`Your wallet did not answer a read of the chain (${method}) within ${timeoutMs / 1000} s. Check that it is unlocked and connected, then try again.`);
  }
}

/** `provider` with a deadline on every read (see READS); other requests and events pass through unchanged. */
export function withReadDeadline(provider: Eip1193Provider, timeoutMs = WALLET_READ_TIMEOUT_MS): Eip1193Provider {
  return {
    request: (args) => {
      const answer = provider.request(args);
      if (!READS.has(args.method)) return answer;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new WalletReadTimeoutError(args.method, timeoutMs)), timeoutMs);
      });
      return Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
    },
    on: provider.on?.bind(provider),
    removeListener: provider.removeListener?.bind(provider),
  };
}
