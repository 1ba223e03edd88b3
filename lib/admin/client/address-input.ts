import { utils } from "web3";

export type AddressInput = { ok: true; address: `0x${string}` } | { ok: false; message: string };

const ZERO = `0x${"0".repeat(40)}`;

/**
 * Checks a wallet address typed by a person (EIP-55): 0x + 40 hex digits; all lower case (or all upper
 * case) carries no checksum and is accepted; mixed case must match its checksum, which catches typos.
 * The result is lower case, as the API and the database keep addresses.
 */
export function parseAddressInput(text: string): AddressInput {
  const value = text.trim();
  if (!value) return { ok: false, message: "Enter the wallet address." };
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return { ok: false, message: "A wallet address is 0x followed by 40 hexadecimal characters (0-9, a-f)." };
  const digits = value.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && utils.toChecksumAddress(value) !== value) {
    return { ok: false, message: "This address's capital letters do not match its checksum (EIP-55): it probably has a typo. Copy it again from the wallet." };
  }
  const address = value.toLowerCase() as `0x${string}`;
  if (address === ZERO) return { ok: false, message: "The zero address cannot be used." };
  return { ok: true, address };
}
