import nacl from "tweetnacl";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { assertLength } from "./encoding";
import { CryptoError } from "./errors";
import { KEY_LENGTH } from "./keys";
import {
  SECRETBOX_KEY_LENGTH,
  SECRETBOX_NONCE_LENGTH,
  SECRETBOX_OVERHEAD,
  secretboxOpen,
  secretboxSeal,
} from "./secretbox";

/*
 * Metadata blob, version 1: magic "EHRM" (4) | version 0x01 (1) | nonce (24, random) | secretbox.
 * A single secretbox: metadata is small and read whole. Its key is HKDF-SHA256(dataKey,
 * info = "ehr/metadata/v1"), never the file key, so file chunks and metadata never share a
 * key and nonce space even though they come from the same data key.
 */
const MAGIC = new Uint8Array([0x45, 0x48, 0x52, 0x4d]); // "EHRM"
const VERSION = 1;
const NONCE_OFFSET = MAGIC.length + 1;
const BOX_OFFSET = NONCE_OFFSET + SECRETBOX_NONCE_LENGTH;
const INFO = new TextEncoder().encode("ehr/metadata/v1");

function metadataKey(dataKey: Uint8Array): Uint8Array {
  assertLength(dataKey, KEY_LENGTH, "data key");
  return hkdf(sha256, dataKey, undefined, INFO, SECRETBOX_KEY_LENGTH);
}

export function encryptJson(dataKey: Uint8Array, value: unknown): Uint8Array {
  const json = JSON.stringify(value);
  if (json === undefined) throw new CryptoError("invalid-input", "value is not JSON-serialisable");
  const nonce = nacl.randomBytes(SECRETBOX_NONCE_LENGTH);
  const box = secretboxSeal(new TextEncoder().encode(json), nonce, metadataKey(dataKey));
  const out = new Uint8Array(BOX_OFFSET + box.length);
  out.set(MAGIC);
  out[MAGIC.length] = VERSION;
  out.set(nonce, NONCE_OFFSET);
  out.set(box, BOX_OFFSET);
  return out;
}

// Returns `unknown`: the caller validates the shape (e.g. with its zod schema).
export function decryptJson(dataKey: Uint8Array, bytes: Uint8Array): unknown {
  const key = metadataKey(dataKey);
  if (bytes.length >= MAGIC.length && MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new CryptoError("bad-magic", "not an encrypted metadata blob");
  }
  if (bytes.length > MAGIC.length && bytes[MAGIC.length] !== VERSION) {
    throw new CryptoError("unsupported-version", `metadata version ${bytes[MAGIC.length]}`);
  }
  if (bytes.length < BOX_OFFSET + SECRETBOX_OVERHEAD) {
    throw new CryptoError("truncated", "metadata blob too short");
  }
  const plaintext = secretboxOpen(
    bytes.subarray(BOX_OFFSET),
    bytes.subarray(NONCE_OFFSET, BOX_OFFSET),
    key,
  );
  if (!plaintext) throw new CryptoError("tampered", "metadata failed authentication");
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
  } catch {
    // Authentic but not JSON: only a key holder could have written it, so it is not tampering.
    throw new CryptoError("invalid-input", "metadata is not JSON");
  }
}
