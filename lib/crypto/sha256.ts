import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

// Lower-case hex without 0x, as printed by sha256sum; the record metadata stores this.
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * The same digest from the platform's own SHA-256 (WebCrypto: native code, several times faster than the
 * JavaScript one on a whole file); the JavaScript one where WebCrypto is missing (a page served over plain
 * http from another host is not a secure context).
 */
export async function sha256HexOfFile(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256Hex(bytes);
  return bytesToHex(new Uint8Array(await subtle.digest("SHA-256", bytes)));
}
