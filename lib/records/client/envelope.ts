import { base64ToBytes, bytesToBase64, decodeWrappedKey, decryptJson, encodeWrappedKey, encryptJson, randomDataKey, unwrapKey, wrapKey } from "@/lib/crypto";
import type { z } from "zod";

/** Encrypts a small JSON value under a fresh data key wrapped for `recipientPublicKey` (as records and profiles are). */
export function sealJson(value: unknown, recipientPublicKey: Uint8Array): { dataKey: Uint8Array; ciphertext: string; wrappedKey: string } {
  const dataKey = randomDataKey();
  return { dataKey, ciphertext: bytesToBase64(encryptJson(dataKey, value)), wrappedKey: encodeWrappedKey(wrapKey(dataKey, recipientPublicKey)) };
}

export function unwrapDataKey(wrappedKey: string, secretKey: Uint8Array): Uint8Array {
  return unwrapKey(decodeWrappedKey(wrappedKey), secretKey);
}

/** Decrypts and validates a blob from sealJson with an already unwrapped data key. */
export function openJson<S extends z.ZodType>(schema: S, dataKey: Uint8Array, ciphertext: string): z.infer<S> {
  return schema.parse(decryptJson(dataKey, base64ToBytes(ciphertext)));
}
