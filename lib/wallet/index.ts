export * from "./eip1193";
export { discoverWallets } from "./discover";
export { switchToChain } from "./switch-network";
export { readWalletState, type ReadyWallet, type WalletState } from "./wallet-state";
export { toHexChainId, type ChainConfig } from "./chain-config";
