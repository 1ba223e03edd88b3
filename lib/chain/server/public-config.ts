import "server-only";
import { getEnv } from "@/lib/config";
import type { ChainConfig } from "@/lib/wallet/chain-config";
import { configuredDeployment } from "./deployment";

/** The chain facts the browser needs, read at request time so one build serves any deployment. */
export function publicChainConfig(): ChainConfig {
  const env = getEnv();
  return {
    chainId: env.CHAIN_ID,
    chainName: env.CHAIN_NAME,
    rpcUrl: env.PUBLIC_RPC_URL ?? env.RPC_URL,
    addresses: configuredDeployment(),
  };
}
