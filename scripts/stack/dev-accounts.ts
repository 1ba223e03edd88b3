import { createRequire } from "node:module";
import { DEV_MNEMONIC } from "@/lib/config";

// ethers is loaded when the banner is made, not when `npm start` starts: it is only needed once the stack
// is up, and loading it up front delays every start by a few hundred milliseconds.
const require = createRequire(import.meta.url);
const hdNodeWallet = (): typeof import("ethers").HDNodeWallet => (require("ethers") as typeof import("ethers")).HDNodeWallet;

/** Ganache 7's default `wallet.hdPath`; account i is `${GANACHE_HD_PATH}/i`, as in Hardhat and anvil. */
export const GANACHE_HD_PATH = "m/44'/60'/0'/0";

/** What each of the first accounts is for when trying the three portals locally (see the README). */
export const SUGGESTED_ROLES = ["admin", "doctor", "patient", "second patient or doctor"] as const;

/** The portal each suggested role opens. */
const PORTALS: Record<(typeof SUGGESTED_ROLES)[number], string> = {
  admin: "/admin (the contracts' first admin)",
  doctor: "/doctor (`npm run seed` registers it)",
  patient: "/patient",
  "second patient or doctor": "/patient, or /doctor once an admin registers it",
};

export interface DevAccount {
  index: number;
  /** Checksummed, as MetaMask shows it. */
  address: string;
  privateKey: string;
  role: (typeof SUGGESTED_ROLES)[number];
}

/** The first embedded-chain accounts with their private keys, derived from the mnemonic exactly as Ganache does. */
export function devAccounts(mnemonic: string, count = SUGGESTED_ROLES.length): DevAccount[] {
  return Array.from({ length: Math.min(count, SUGGESTED_ROLES.length) }, (_, index) => {
    const wallet = hdNodeWallet().fromPhrase(mnemonic, "", `${GANACHE_HD_PATH}/${index}`);
    return { index, address: wallet.address, privateKey: wallet.privateKey, role: SUGGESTED_ROLES[index]! };
  });
}

/**
 * The banner block listing the accounts with their keys, like Hardhat's and anvil's. `chainAccounts` are the
 * addresses Ganache reports: a key is printed only for an address it matches, so a mismatch prints no wrong key.
 */
export function devAccountsBanner(mnemonic: string, chainAccounts: readonly string[]): string[] {
  const accounts = devAccounts(mnemonic).filter((account) => chainAccounts[account.index]?.toLowerCase() === account.address.toLowerCase());
  if (accounts.length === 0) return ["  Test accounts:  (their keys could not be derived from CHAIN_MNEMONIC; not shown)"];
  const warning =
    mnemonic === DEV_MNEMONIC
      ? ["WARNING: these are PUBLIC TEST KEYS (Ganache's well-known mnemonic): anyone can use them.", "Never send real funds or enter real medical data with these accounts, on any network."]
      : ["WARNING: these are TEST KEYS derived from CHAIN_MNEMONIC: anyone with that mnemonic holds them.", "Never send real funds or enter real medical data with these accounts."];
  return [
    "  Test accounts:  import a private key into MetaMask, one browser profile per role",
    ...accounts.flatMap((account) => [
      `    #${account.index}  ${account.address}  ${account.role}: ${PORTALS[account.role]}`,
      `        private key ${account.privateKey}`,
    ]),
    ...warning.map((line) => `  ${line}`),
  ];
}
