/**
 * Runs inside the page (Playwright addInitScript): an EIP-1193 provider that forwards every request to
 * the test process through an exposed function, and announces itself by EIP-6963 like MetaMask does.
 * MetaMask cannot be installed in headless Chromium; this stands in for its RPC surface only.
 */
export function installTestWallet(info: { uuid: string; name: string; rdns: string }) {
  type Listener = (...args: unknown[]) => void;
  const listeners = new Map<string, Set<Listener>>();
  const bridge = (window as unknown as { __testWalletRpc: (method: string, params: unknown) => Promise<{ result?: unknown; error?: { code: number; message: string } }> }).__testWalletRpc;

  const provider = {
    isMetaMask: false,
    async request({ method, params }: { method: string; params?: unknown }) {
      const answer = await bridge(method, params ?? []);
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
    },
    removeListener(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
    },
  };

  (window as unknown as { __testWalletEmit: (event: string, payload: unknown) => void }).__testWalletEmit = (event, payload) => {
    listeners.get(event)?.forEach((listener) => listener(payload));
  };

  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info: { ...info, icon: "data:," }, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
}
