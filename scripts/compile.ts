/**
 * `npm run compile`: Truffle compile (local solc) and the typed contract module's ABIs, with the addresses of
 * every committed deployments/<chainId>.json.
 * With --from-artifacts (after `truffle migrate --network production`) it also records the addresses Truffle
 * wrote for that network in deployments/<CHAIN_ID>.json (commit it) and in the module, so the app built next
 * and every fresh clone know the deployment.
 */
import path from "node:path";
import { getEnv } from "@/lib/config";
import { loadDotenv } from "./load-dotenv";
import { compileContracts } from "./stack/deploy";
import { CONTRACT_NAMES, type ContractAddresses } from "./stack/artifacts";
import { writeContractsModule } from "./stack/contracts-module";
import { LOCAL_CHAIN_ID, writeDeployment } from "./stack/deployments";

async function main() {
  loadDotenv();
  const artifacts = await compileContracts();
  if (!process.argv.includes("--from-artifacts")) return console.log("Contracts compiled; lib/chain/generated/contracts.ts written.");
  const env = getEnv();
  const chainId = env.CHAIN_ID;
  if (process.env.RPC_URL) await assertChainId(process.env.RPC_URL, chainId);
  // Truffle keys artifacts by network id; truffle-config.js takes it from NETWORK_ID, else from the node.
  const networkId = /^\d+$/.test(process.env.NETWORK_ID ?? "") ? process.env.NETWORK_ID! : String(chainId);
  const addresses = Object.fromEntries(
    CONTRACT_NAMES.map((name) => {
      const address = artifacts[name].networks[networkId]?.address;
      if (!address) throw new Error(`${name} has no deployment for network ${networkId}; set CHAIN_ID (and NETWORK_ID if it differs) to the network you migrated to.`);
      return [name, address];
    }),
  ) as ContractAddresses;
  await writeContractsModule(artifacts, { chainId, addresses });
  if (chainId === LOCAL_CHAIN_ID) {
    return console.log(`Recorded the chain ${chainId} deployment in lib/chain/generated/contracts.ts (the local chain: not written to deployments/).`);
  }
  const file = await writeDeployment(chainId, addresses);
  console.log(`Recorded the chain ${chainId} deployment in ${path.relative(process.cwd(), file)} (commit it) and lib/chain/generated/contracts.ts.`);
}

/** The file is named after the chain id, so it must be the chain the migration really went to. */
async function assertChainId(rpcUrl: string, expected: number): Promise<void> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    throw new Error(`Cannot reach RPC_URL to confirm the chain id: ${error instanceof Error ? error.message : String(error)}`);
  });
  const { result } = (await response.json()) as { result?: string };
  const actual = result ? Number(BigInt(result)) : NaN;
  if (actual !== expected) throw new Error(`RPC_URL serves chain id ${actual}, but CHAIN_ID is ${expected}: set CHAIN_ID to the chain you deployed to.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
