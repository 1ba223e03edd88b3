import "server-only";
import { ApiError } from "@/lib/api";
import { getEnv } from "@/lib/config";
import { contractsAt, type EhrContracts } from "@/lib/chain/contracts";
import { configuredDeployment } from "./deployment";
import { getServerWeb3 } from "./web3";

let cached: EhrContracts | undefined;

/** The deployed contracts on the server's web3; 503 when nothing is deployed for CHAIN_ID. */
export function serverContracts(): EhrContracts {
  if (cached) return cached;
  const addresses = configuredDeployment();
  if (!addresses) throw new ApiError("service_unavailable", `No contracts are deployed for chain ${getEnv().CHAIN_ID}.`);
  cached = contractsAt(getServerWeb3(), addresses);
  return cached;
}
