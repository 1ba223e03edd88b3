import { z } from "zod";
import { blake2b } from "@noble/hashes/blake2.js";
import { base64ToBytes, bytesToBase64, decryptJson, encryptJson, randomDataKey, unwrapKey, wrapKey, WRAPPED_KEY_LENGTH } from "@/lib/crypto";
import { RECORD_CATEGORIES, type RecordCategory } from "@/lib/records/client/metadata";

/** Which records an emergency opening may read: all of them, or those of chosen categories (later uploads too). */
export type EmergencyScope = { kind: "all" } | { kind: "categories"; categories: RecordCategory[] };

const scopeSchema = z.union([
  z.strictObject({ kind: z.literal("all") }),
  z.strictObject({ kind: z.literal("categories"), categories: z.array(z.enum(RECORD_CATEGORIES.map((c) => c.value) as [RecordCategory, ...RecordCategory[]])) }),
]);
const sealedSchema = z.strictObject({ scope: scopeSchema, tag: z.string() });

/** What a scope is bound to: the patient, the emergency key version and the emergency public key on chain. */
export interface ScopeContext {
  patient: string;
  keyVersion: number;
  /** 0x + 64 hex, the emergency public key of that version. */
  emergencyPublicKey: string;
}

/*
 * The scope is kept sealed for the patient: wrappedKey(81) || encryptJson(dataKey, { scope, tag }), base64 (key
 * rotation re-wraps the 81 bytes in front and keeps the rest). A sealed box alone is not enough: anyone,
 * the server included, can seal "all records" for the patient's public key. So the scope carries a tag,
 * keyed blake2b under a key only the patient's secret key yields (domain-separated label), over the scope
 * bound to the patient, the key version and the emergency public key (an old version's scope cannot be
 * replayed into a new one). A scope whose tag does not verify opens as undefined: the patient is asked again.
 */
const AUTH_LABEL = new TextEncoder().encode("ehr/emergency-scope/auth/v1");

function authKey(secretKey: Uint8Array): Uint8Array {
  return blake2b(AUTH_LABEL, { key: secretKey, dkLen: 32 });
}

function tagOf(scope: EmergencyScope, context: ScopeContext, secretKey: Uint8Array): Uint8Array {
  const key = authKey(secretKey);
  try {
    const message = JSON.stringify({
      v: 1,
      patient: context.patient.toLowerCase(),
      keyVersion: context.keyVersion,
      emergencyPublicKey: context.emergencyPublicKey.toLowerCase(),
      scope: scope.kind === "all" ? { kind: "all" } : { kind: "categories", categories: [...scope.categories].sort() },
    });
    return blake2b(new TextEncoder().encode(message), { key, dkLen: 32 });
  } finally {
    key.fill(0);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Seals `scope` for the patient's own key pair (base64), authenticated under their secret key. */
export function sealScope(scope: EmergencyScope, context: ScopeContext, keyPair: { publicKey: Uint8Array; secretKey: Uint8Array }): string {
  const dataKey = randomDataKey();
  try {
    const wrapped = wrapKey(dataKey, keyPair.publicKey);
    const ciphertext = encryptJson(dataKey, { scope, tag: bytesToBase64(tagOf(scope, context, keyPair.secretKey)) });
    const bytes = new Uint8Array(wrapped.length + ciphertext.length);
    bytes.set(wrapped);
    bytes.set(ciphertext, wrapped.length);
    return bytesToBase64(bytes);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Opens a sealed scope with the patient's secret key. Undefined when it does not open, is malformed, or its tag
 * does not verify (sealed by someone else, for another version or key, or under a key since rotated): the caller
 * must ask the patient again, never assume a scope (and never "all records").
 */
export function openScope(sealed: string, secretKey: Uint8Array, context: ScopeContext): EmergencyScope | undefined {
  let dataKey: Uint8Array | undefined;
  try {
    const bytes = base64ToBytes(sealed);
    dataKey = unwrapKey(bytes.subarray(0, WRAPPED_KEY_LENGTH), secretKey);
    const parsed = sealedSchema.safeParse(decryptJson(dataKey, bytes.subarray(WRAPPED_KEY_LENGTH)));
    if (!parsed.success) return undefined;
    const scope = parsed.data.scope as EmergencyScope;
    return sameBytes(base64ToBytes(parsed.data.tag), tagOf(scope, context, secretKey)) ? scope : undefined;
  } catch {
    return undefined;
  } finally {
    dataKey?.fill(0);
  }
}
