import type { ContractAddresses } from "@/lib/chain/deployment";

/** What the browser needs to know about the configured chain; sent from the server layout. */
export interface ChainConfig {
  chainId: number;
  chainName: string;
  rpcUrl: string;
  addresses?: ContractAddresses;
}

export const toHexChainId = (chainId: number) => `0x${chainId.toString(16)}`;
