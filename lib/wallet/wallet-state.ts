import type { ContractAddresses } from "@/lib/chain/deployment";
import type { ChainConfig } from "./chain-config";
import type { DiscoveredWallet, Eip1193Provider } from "./eip1193";

/** Every state the wallet can be in; only "ready" lets a portal act. */
export type WalletState =
  | { status: "detecting" }
  | { status: "no-wallet" }
  | { status: "disconnected"; wallet: DiscoveredWallet }
  | { status: "wrong-network"; wallet: DiscoveredWallet; account: string; chainId: number }
  | { status: "no-contracts"; wallet: DiscoveredWallet; account: string; chainId: number }
  | { status: "ready"; wallet: DiscoveredWallet; account: string; chainId: number; addresses: ContractAddresses };

/** A wallet a portal can act with: connected, on the right chain, contracts deployed (the one such type). */
export type ReadyWallet = Extract<WalletState, { status: "ready" }>;

/** Reads accounts, chain and contract code without prompting the user. */
export async function readWalletState(wallet: DiscoveredWallet, config: ChainConfig): Promise<WalletState> {
  const { provider } = wallet;
  const accounts = (await provider.request({ method: "eth_accounts" })) as string[];
  const account = accounts[0]?.toLowerCase();
  if (!account) return { status: "disconnected", wallet };
  const chainId = Number.parseInt((await provider.request({ method: "eth_chainId" })) as string, 16);
  if (chainId !== config.chainId) return { status: "wrong-network", wallet, account, chainId };
  if (!config.addresses || !(await hasCode(provider, config.addresses))) return { status: "no-contracts", wallet, account, chainId };
  return { status: "ready", wallet, account, chainId, addresses: config.addresses };
}

async function hasCode(provider: Eip1193Provider, addresses: ContractAddresses): Promise<boolean> {
  const codes = await Promise.all(
    Object.values(addresses).map((address) => provider.request({ method: "eth_getCode", params: [address, "latest"] })),
  );
  return codes.every((code) => typeof code === "string" && code !== "0x");
}
