import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/** A fresh 32-byte licence salt from the browser's CSPRNG, as 0x + 64 hex. */
export function newLicenceSalt(): `0x${string}` {
  return `0x${bytesToHex(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** The on-chain licence hash: sha256(salt || utf8(licence number, trimmed)) as a bytes32 (0x + 64 hex). */
export function licenceHash(salt: string, licenceNumber: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new Error("A licence salt is 0x followed by 64 hexadecimal characters.");
  const saltBytes = hexToBytes(salt.slice(2));
  const text = new TextEncoder().encode(licenceNumber.trim());
  const input = new Uint8Array(saltBytes.length + text.length);
  input.set(saltBytes);
  input.set(text, saltBytes.length);
  return `0x${bytesToHex(sha256(input))}`;
}
