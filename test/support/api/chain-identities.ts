import { randomBytes } from "node:crypto";
import { browserChain, encryptionKeyOf, getDoctor, type BrowserChain } from "@/lib/chain/client";
import type { ContractAddresses } from "@/lib/chain/deployment";
import { stackUnderTest } from "../stack-env";
import { rpc } from "./api-client";
import { registerDoctor, registerPatient, setDoctorKey } from "./chain";
import { testKeys } from "./fixtures";

/**
 * The app's own browser-side chain client (lib/chain/client) in Node, over the test chain's JSON-RPC, at the
 * addresses the app reports in /api/health: tests can run the browser's key checks without a browser. `wallet`
 * may change how the wallet answers (a user who refuses, a node that fails).
 */
export async function nodeBrowserChain(account: string, wallet: (request: WalletRequest) => WalletRequest = (request) => request): Promise<BrowserChain> {
  const health = (await (await fetch(new URL("/api/health", stackUnderTest().appUrl))).json()) as { chain: { contracts: Record<string, { address: string } | undefined> } };
  const addresses = Object.fromEntries(Object.entries(health.chain.contracts).flatMap(([name, entry]) => (entry ? [[name, entry.address]] : []))) as ContractAddresses;
  return browserChain({ request: wallet(walletRpc) as never }, addresses, account);
}

/** JSON-RPC to the test chain as a wallet answers it: a refusal keeps its code and revert data (MetaMask's ProviderRpcError). */
const walletRpc: WalletRequest = async ({ method, params }) => {
  const response = await fetch(stackUnderTest().rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
  return body.result;
};

/** A wallet's EIP-1193 request; nodeBrowserChain's `wallet` wraps the one that forwards to the chain (to refuse or fail). */
export type WalletRequest = (args: { method: string; params?: unknown[] }) => Promise<unknown>;

/**
 * `account` as a registered patient, whichever test file got there first: registers it with a fresh key when
 * it is not one yet. Returns the public key the chain holds for it (0x hex, lower case).
 */
export async function ensurePatient(account: string): Promise<string> {
  const chain = await nodeBrowserChain(account);
  const existing = await encryptionKeyOf(chain, account);
  if (existing) return existing;
  const keys = testKeys();
  await registerPatient(account, keys.publicKeyHex);
  return keys.publicKeyHex.toLowerCase();
}

/** `account` as an active doctor with a key on chain (registered by the admin, account 0, when needed). */
export async function ensureDoctor(account: string, entry: { name: string; specialty: string }): Promise<string> {
  const chain = await nodeBrowserChain(account);
  let doctor = await getDoctor(chain, account);
  if (!doctor) await registerDoctor(stackUnderTest().accounts[0]!, account, undefined, entry);
  doctor = await getDoctor(chain, account);
  if (doctor?.encryptionKey) return doctor.encryptionKey;
  const keys = testKeys();
  await setDoctorKey(account, keys.publicKeyHex);
  return keys.publicKeyHex.toLowerCase();
}

/** A new account on the test chain (imported, unlocked, funded with 1 ETH by `funder`), so no other file's accounts are touched. */
export async function freshAccount(funder: string): Promise<string> {
  const passphrase = "fresh test account";
  const account = (await rpc("personal_importRawKey", [`0x${randomBytes(32).toString("hex")}`, passphrase])) as string;
  await rpc("personal_unlockAccount", [account, passphrase, 0]);
  await rpc("eth_sendTransaction", [{ from: funder, to: account, value: "0xde0b6b3a7640000" }]);
  return account;
}
