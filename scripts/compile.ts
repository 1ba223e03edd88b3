/**
 * `npm run compile`: Truffle compile (local solc) and the typed contract module's ABIs.
 * With --from-artifacts (after `truffle migrate --network production`) it also records the addresses
 * Truffle wrote for CHAIN_ID, so the app built next knows the production deployment.
 */
import { getEnv } from "@/lib/config";
import { compileContracts } from "./stack/deploy";
import { CONTRACT_NAMES, type ContractAddresses } from "./stack/artifacts";
import { writeContractsModule } from "./stack/contracts-module";

async function main() {
  const artifacts = await compileContracts();
  if (!process.argv.includes("--from-artifacts")) return console.log("Contracts compiled; lib/chain/generated/contracts.ts written.");
  const chainId = getEnv().CHAIN_ID;
  const addresses = Object.fromEntries(
    CONTRACT_NAMES.map((name) => {
      const address = artifacts[name].networks[String(chainId)]?.address;
      if (!address) throw new Error(`${name} has no deployment for network ${chainId}; set CHAIN_ID to the network id you migrated to.`);
      return [name, address];
    }),
  ) as ContractAddresses;
  await writeContractsModule(artifacts, { chainId, addresses });
  console.log(`Recorded the chain ${chainId} deployment in lib/chain/generated/contracts.ts.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
