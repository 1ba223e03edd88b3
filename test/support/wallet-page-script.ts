/**
 * Source of the script that runs inside the page (Playwright addInitScript): an EIP-1193 provider that
 * forwards every request to the test process through an exposed function, and announces itself by
 * EIP-6963 like MetaMask does. MetaMask cannot be installed in headless Chromium; this stands in for
 * its RPC surface only. Kept as plain JavaScript text: a compiled TypeScript function would carry
 * esbuild helpers (`__name`) that do not exist in the page.
 */
export function testWalletScript(info: { uuid: string; name: string; rdns: string }): string {
  return `(() => {
  const info = ${JSON.stringify({ ...info, icon: "data:," })};
  const listeners = new Map();
  const provider = {
    isMetaMask: false,
    async request({ method, params }) {
      const answer = await window.__testWalletRpc(method, params ?? []);
      // Like MetaMask, keep the node's error data: a revert's custom error decodes from it.
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code, data: answer.error.data });
      return answer.result;
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
    },
  };
  window.__testWalletEmit = (event, payload) => listeners.get(event)?.forEach((listener) => listener(payload));
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;
}
