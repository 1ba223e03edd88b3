import "server-only";
import { HttpProvider, Web3, type types } from "web3";
import { getEnv } from "@/lib/config";

/** Longest the server waits for one JSON-RPC answer; a hanging node then becomes a 503, not a hung request. */
export const CHAIN_REQUEST_TIMEOUT_MS = 10_000;

type Api = types.EthExecutionAPI;

/**
 * web3's HttpProvider with a fresh timeout signal per request (one shared `providerOptions.signal` would
 * expire once for good). The fetch it uses reports the abort as a bare "AbortError"; we rethrow it as a
 * ConnectionTimeoutError, which lib/chain/server/chain-errors.ts already maps to 503.
 */
class TimedHttpProvider extends HttpProvider<Api> {
  override async request<Method extends types.Web3APIMethod<Api>, ResultType = types.Web3APIReturnType<Api, Method>>(
    payload: types.Web3APIPayload<Api, Method>,
    requestOptions?: RequestInit,
  ): Promise<types.JsonRpcResponseWithResult<ResultType>> {
    const signal = AbortSignal.timeout(CHAIN_REQUEST_TIMEOUT_MS);
    try {
      return await super.request<Method, ResultType>(payload, { ...requestOptions, signal });
    } catch (error) {
      if (signal.aborted) {
        const timeout = new Error(`The chain node did not answer within ${CHAIN_REQUEST_TIMEOUT_MS / 1000} s.`, { cause: error });
        timeout.name = "ConnectionTimeoutError";
        throw timeout;
      }
      throw error;
    }
  }
}

let shared: Web3 | undefined;

/** The server's read connection to the chain (RPC_URL). */
export function getServerWeb3(): Web3 {
  shared ??= new Web3(new TimedHttpProvider(getEnv().RPC_URL));
  return shared;
}
