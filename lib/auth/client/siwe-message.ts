import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export interface SignInMessageFields {
  /** The site's host (window.location.host). */
  domain: string;
  /** The site's origin (window.location.origin). */
  uri: string;
  address: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime: Date;
  statement?: string;
}

export const SIGN_IN_STATEMENT = "Sign in to the health records app. This proves you own this account; it costs nothing and sends no transaction.";

/** EIP-55 mixed-case checksum address (EIP-4361 requires it). */
export function toChecksumAddress(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`Not an address: ${address}`);
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(lower)));
  let out = "0x";
  for (let i = 0; i < 40; i++) out += Number.parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}

/** The EIP-4361 text, in the exact layout the siwe package parses and renders. */
export function buildSignInMessage(fields: SignInMessageFields): string {
  const statement = fields.statement ?? SIGN_IN_STATEMENT;
  return [
    `${fields.domain} wants you to sign in with your Ethereum account:`,
    toChecksumAddress(fields.address),
    "",
    statement,
    "",
    `URI: ${fields.uri}`,
    "Version: 1",
    `Chain ID: ${fields.chainId}`,
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt.toISOString()}`,
    `Expiration Time: ${fields.expirationTime.toISOString()}`,
  ].join("\n");
}

/** UTF-8 text as 0x-hex, the form personal_sign takes (and Ganache's eth_sign needs). */
export function utf8ToHex(text: string): string {
  return `0x${bytesToHex(new TextEncoder().encode(text))}`;
}
