import { Web3 } from "web3";
import { contractsAt, type EhrContracts } from "@/lib/chain/contracts";
import type { ContractAddresses } from "@/lib/chain/deployment";
import type { Eip1193Provider } from "@/lib/wallet/eip1193";
import { withReadDeadline } from "@/lib/wallet/read-deadline";

export interface BrowserChain {
  web3: Web3;
  contracts: EhrContracts;
  /** The connected account (lower case); every transaction is sent from it. */
  account: string;
}

/**
 * web3 v4 over the wallet's EIP-1193 provider (its reads with a deadline, lib/wallet/read-deadline.ts), with
 * the typed contracts at the configured addresses.
 */
export function browserChain(provider: Eip1193Provider, addresses: ContractAddresses, account: string): BrowserChain {
  const web3: Web3 = new Web3(withReadDeadline(provider) as unknown as ConstructorParameters<typeof Web3>[0]) as unknown as Web3;
  return { web3, contracts: contractsAt(web3, addresses), account: account.toLowerCase() };
}
