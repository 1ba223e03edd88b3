import type { Web3 } from "web3";
import { CONTRACT_NAMES } from "./contract-names";
import type { ContractAddresses } from "./deployment";

export interface ChainStatus {
  ok: boolean;
  chainId?: number;
  expectedChainId: number;
  blockNumber?: number;
  contracts: Partial<Record<string, { address: string; bytecodePresent: boolean }>>;
  error?: string;
}

/** Reachable, on the configured chain, and every contract has code at its address. */
export async function chainStatus(web3: Web3, expectedChainId: number, addresses: ContractAddresses | undefined): Promise<ChainStatus> {
  try {
    const [chainId, blockNumber] = await Promise.all([web3.eth.getChainId(), web3.eth.getBlockNumber()]);
    const status: ChainStatus = { ok: true, chainId: Number(chainId), expectedChainId, blockNumber: Number(blockNumber), contracts: {} };
    if (status.chainId !== expectedChainId) {
      return { ...status, ok: false, error: `The node is on chain ${status.chainId}, not ${expectedChainId}.` };
    }
    if (!addresses) return { ...status, ok: false, error: `No contracts are deployed for chain ${expectedChainId}.` };
    for (const name of CONTRACT_NAMES) {
      const code = await web3.eth.getCode(addresses[name]);
      status.contracts[name] = { address: addresses[name], bytecodePresent: code !== "0x" };
    }
    const missing = CONTRACT_NAMES.filter((name) => !status.contracts[name]?.bytecodePresent);
    return missing.length ? { ...status, ok: false, error: `No code at the address of ${missing.join(", ")}.` } : status;
  } catch {
    return { ok: false, expectedChainId, contracts: {}, error: "The chain node is not reachable." };
  }
}
