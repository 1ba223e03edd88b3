import nacl from "tweetnacl";
import { blake2b } from "@noble/hashes/blake2.js";
import { assertLength, base64ToBytes, bytesToBase64 } from "./encoding";
import { CryptoError } from "./errors";
import { KEY_LENGTH, publicKeyFromSecretKey } from "./keys";

// Wrapped key = version(1) || ephemeralPublicKey(32) || nacl.box(dataKey)(16 + 32) = 81 bytes.
// After the version byte this is exactly libsodium's crypto_box_seal: the nonce is
// blake2b-192(ephemeralPk || recipientPk). noble has blake2b, so we keep the standard
// construction rather than a sha2 variant; any libsodium can open what we seal.
const WRAP_VERSION = 1;
const EPK_OFFSET = 1;
const BOX_OFFSET = EPK_OFFSET + KEY_LENGTH;
export const WRAPPED_KEY_LENGTH = BOX_OFFSET + nacl.box.overheadLength + KEY_LENGTH;

function sealNonce(ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  const input = new Uint8Array(2 * KEY_LENGTH);
  input.set(ephemeralPublicKey);
  input.set(recipientPublicKey, KEY_LENGTH);
  return blake2b(input, { dkLen: nacl.box.nonceLength });
}

// Like libsodium, refuse low-order points: their shared secret is all zeros and public.
function sharedKey(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  if (nacl.scalarMult(secretKey, publicKey).every((byte) => byte === 0)) return null;
  return nacl.box.before(publicKey, secretKey);
}

export function wrapKey(dataKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  assertLength(dataKey, KEY_LENGTH, "data key");
  assertLength(recipientPublicKey, KEY_LENGTH, "recipient public key");
  const ephemeral = nacl.box.keyPair();
  const key = sharedKey(recipientPublicKey, ephemeral.secretKey);
  ephemeral.secretKey.fill(0);
  if (!key) throw new CryptoError("invalid-input", "recipient public key is a low-order point");
  const box = nacl.box.after(dataKey, sealNonce(ephemeral.publicKey, recipientPublicKey), key);
  key.fill(0);
  const wrapped = new Uint8Array(WRAPPED_KEY_LENGTH);
  wrapped[0] = WRAP_VERSION;
  wrapped.set(ephemeral.publicKey, EPK_OFFSET);
  wrapped.set(box, BOX_OFFSET);
  return wrapped;
}

export function unwrapKey(wrapped: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array {
  const recipientPublicKey = publicKeyFromSecretKey(recipientSecretKey);
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== WRAPPED_KEY_LENGTH) {
    throw new CryptoError("unwrap-failed", "wrapped key has the wrong length");
  }
  if (wrapped[0] !== WRAP_VERSION) {
    throw new CryptoError("unsupported-version", `wrapped key version ${wrapped[0]}`);
  }
  const ephemeralPublicKey = wrapped.subarray(EPK_OFFSET, BOX_OFFSET);
  const key = sharedKey(ephemeralPublicKey, recipientSecretKey);
  const dataKey =
    key &&
    nacl.box.open.after(
      wrapped.subarray(BOX_OFFSET),
      sealNonce(ephemeralPublicKey, recipientPublicKey),
      key,
    );
  key?.fill(0);
  if (!dataKey) throw new CryptoError("unwrap-failed");
  return dataKey;
}

// Transport form (JSON bodies, the key store). Decoding checks the shape so the server can
// reject garbage before storing it; only the recipient can check the contents.
export function encodeWrappedKey(wrapped: Uint8Array): string {
  assertLength(wrapped, WRAPPED_KEY_LENGTH, "wrapped key");
  return bytesToBase64(wrapped);
}

export function decodeWrappedKey(text: string): Uint8Array {
  const wrapped = base64ToBytes(text);
  assertLength(wrapped, WRAPPED_KEY_LENGTH, "wrapped key");
  if (wrapped[0] !== WRAP_VERSION) {
    throw new CryptoError("unsupported-version", `wrapped key version ${wrapped[0]}`);
  }
  return wrapped;
}
