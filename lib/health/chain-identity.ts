import { getEnv } from "@/lib/config";

/** The chain id the node at `rpcUrl` reports (eth_chainId), or undefined when it does not answer. */
export async function nodeChainId(rpcUrl: string, timeoutMs = 5_000): Promise<number | undefined> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === "string" ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}

export const chainMismatchMessage = (rpcUrl: string, actual: number, expected: number) =>
  `Error: the chain node at ${rpcUrl} is on chain ${actual}, not CHAIN_ID=${expected}; refusing to start. Point RPC_URL at the right node or fix CHAIN_ID.`;

/**
 * Start-up check (instrumentation.ts): a node on another chain is a refusal, the process exits with a message.
 * A node that does not answer yet is not: /api/health and every chain route report it until it does.
 */
export async function assertChainIdentity(exit: (code: number) => never = process.exit): Promise<void> {
  const env = getEnv();
  const actual = await nodeChainId(env.RPC_URL);
  if (actual === undefined) {
    console.warn(`Warning: the chain node at ${env.RPC_URL} did not answer at start; its chain id is checked by /api/health.`);
    return;
  }
  if (actual !== env.CHAIN_ID) {
    console.error(chainMismatchMessage(env.RPC_URL, actual, env.CHAIN_ID));
    exit(1);
  }
}
