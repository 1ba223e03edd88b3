import "server-only";
import { Web3 } from "web3";
import { getEnv } from "@/lib/config";

let shared: Web3 | undefined;

/** The server's read connection to the chain (RPC_URL). */
export function getServerWeb3(): Web3 {
  shared ??= new Web3(new Web3.providers.HttpProvider(getEnv().RPC_URL));
  return shared;
}
