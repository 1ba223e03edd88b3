import { deployments, type Address, type ContractName } from "./generated/contracts";

export type ContractAddresses = Record<ContractName, Address>;

/** The addresses deployed on a chain, or undefined when nothing was deployed there. */
export function deploymentFor(chainId: number): ContractAddresses | undefined {
  return deployments[chainId];
}
