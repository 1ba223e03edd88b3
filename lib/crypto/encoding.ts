import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { CryptoError } from "./errors";

// Standard padded base64 without Buffer, so it works in the browser and in Node.
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// Strict: re-encoding must give back the same text, which rejects whitespace, missing padding
// and non-canonical trailing bits that atob would silently accept.
export function base64ToBytes(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw new CryptoError("invalid-input", "not base64");
  }
  if (bytesToBase64(bytes) !== text) throw new CryptoError("invalid-input", "not canonical base64");
  return bytes;
}

// 0x-prefixed hex of an exact byte length (the chain's bytesN values).
export function bytesToPrefixedHex(bytes: Uint8Array): string {
  return `0x${bytesToHex(bytes)}`;
}

export function prefixedHexToBytes(text: string, length: number): Uint8Array {
  if (!new RegExp(`^0x[0-9a-fA-F]{${length * 2}}$`).test(text)) {
    throw new CryptoError("invalid-input", `expected 0x-prefixed hex of ${length} bytes`);
  }
  return hexToBytes(text.slice(2));
}

export function assertLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new CryptoError("invalid-input", `${what} must be ${length} bytes`);
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
