import type { DiscoveredWallet, Eip1193Provider } from "./eip1193";

interface AnnounceEvent extends Event {
  detail: DiscoveredWallet;
}

/**
 * Finds wallets by EIP-6963 (every extension answers "requestProvider"), falling back to the legacy
 * `window.ethereum` when none announces itself within the wait.
 */
export async function discoverWallets(waitMs = 300): Promise<DiscoveredWallet[]> {
  const found = new Map<string, DiscoveredWallet>();
  const onAnnounce = (event: Event) => {
    const { detail } = event as AnnounceEvent;
    if (detail?.info?.uuid && detail.provider) found.set(detail.info.uuid, detail);
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  window.removeEventListener("eip6963:announceProvider", onAnnounce);
  if (found.size > 0) return [...found.values()].sort(preferMetaMask);
  const legacy = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
  return legacy ? [{ info: { uuid: "legacy", name: "Browser wallet", icon: "", rdns: "legacy" }, provider: legacy }] : [];
}

const preferMetaMask = (a: DiscoveredWallet, b: DiscoveredWallet) =>
  Number(b.info.rdns === "io.metamask") - Number(a.info.rdns === "io.metamask");
