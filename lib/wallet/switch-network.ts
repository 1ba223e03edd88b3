import { rpcErrorCode, UNRECOGNIZED_CHAIN, type Eip1193Provider } from "./eip1193";
import { toHexChainId, type ChainConfig } from "./chain-config";

/** Asks the wallet to switch to the configured chain, adding it first if the wallet does not know it. */
export async function switchToChain(provider: Eip1193Provider, config: ChainConfig): Promise<void> {
  const chainId = toHexChainId(config.chainId);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    if (rpcErrorCode(error) !== UNRECOGNIZED_CHAIN) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [{ chainId, chainName: config.chainName, rpcUrls: [config.rpcUrl], nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } }],
    });
  }
}
