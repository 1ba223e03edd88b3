/** The minimal EIP-1193 surface we use; MetaMask and the test wallet both provide it. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

/** EIP-6963 provider info announced by each installed wallet. */
export interface WalletInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

/** Error codes from EIP-1193 and MetaMask that the UI explains. */
export const USER_REJECTED = 4001;
export const UNRECOGNIZED_CHAIN = 4902;

export function rpcErrorCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "number") return code;
  // Some wallets nest the original error (e.g. -32603 wrapping 4902).
  const inner = (error as { data?: { originalError?: { code?: unknown } } }).data?.originalError?.code;
  return typeof inner === "number" ? inner : undefined;
}
