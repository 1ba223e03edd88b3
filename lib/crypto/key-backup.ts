import nacl from "tweetnacl";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { z } from "zod";
import {
  assertLength,
  base64ToBytes,
  bytesToBase64,
  equalBytes,
  prefixedHexToBytes,
} from "./encoding";
import { CryptoError } from "./errors";
import { KEY_LENGTH, publicKeyFromSecretKey, publicKeyToHex } from "./keys";
import {
  SECRETBOX_KEY_LENGTH,
  SECRETBOX_NONCE_LENGTH,
  SECRETBOX_OVERHEAD,
  secretboxOpen,
  secretboxSeal,
} from "./secretbox";

/*
 * The private key at rest (IndexedDB) and in the downloadable backup file:
 *   kek        = scrypt(NFKC(passphrase), salt, N, r, p) -> 32 bytes
 *   ciphertext = secretbox(secretKey (32) || address (20, only if present), nonce, kek)
 * The address is inside the box so that editing it, like editing publicKey, is detected
 * ("corrupt-backup"). An edited salt, nonce, ciphertext or cost parameter cannot be told apart
 * from a wrong passphrase.
 */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
// What a backup may ask for; checked before any work so a hostile file cannot pin the CPU or
// allocate gigabytes. N * r * p <= 2^23 keeps memory (128 * N * r) at or below 1 GiB.
const MIN_LOG_N = 14;
const MAX_LOG_N = 20;
const MAX_COST = 2 ** 23;
const SALT_LENGTH = 32;
const ADDRESS_LENGTH = 20;
const BOX_LENGTH = SECRETBOX_OVERHEAD + KEY_LENGTH;

function base64Of(...lengths: number[]) {
  return z.string().refine((text) => {
    try {
      return lengths.includes(base64ToBytes(text).length);
    } catch {
      return false;
    }
  }, `base64 of ${lengths.join(" or ")} bytes`);
}

const scryptCost = {
  N: z
    .number()
    .int()
    .min(2 ** MIN_LOG_N)
    .max(2 ** MAX_LOG_N)
    .refine((n) => (n & (n - 1)) === 0, "N must be a power of two"),
  r: z.number().int().min(1).max(8),
  p: z.number().int().min(1).max(4),
};
const withinCost = ({ N, r, p }: { N: number; r: number; p: number }) => N * r * p <= MAX_COST;

const scryptParamsSchema = z.strictObject(scryptCost).refine(withinCost, "scrypt cost too high");

const keyBackupSchema = z.strictObject({
  format: z.literal("ehr-key-backup"),
  version: z.literal(1),
  kdf: z
    .strictObject({ name: z.literal("scrypt"), ...scryptCost, salt: base64Of(SALT_LENGTH) })
    .refine(withinCost, "scrypt cost too high"),
  nonce: base64Of(SECRETBOX_NONCE_LENGTH),
  ciphertext: base64Of(BOX_LENGTH, BOX_LENGTH + ADDRESS_LENGTH),
  publicKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/).optional(),
});

export type KeyBackup = z.infer<typeof keyBackupSchema>;
export type ScryptParams = z.infer<typeof scryptParamsSchema>;

export interface SealOptions {
  /** Lower costs are for tests; the same limits as on open apply. */
  scrypt?: ScryptParams;
  /** The wallet this key belongs to, bound into the ciphertext. */
  address?: string;
  onProgress?: (fraction: number) => void;
}

function deriveKek(
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
  onProgress?: (fraction: number) => void,
): Promise<Uint8Array> {
  // NFKC so that the same passphrase typed on another device or keyboard gives the same bytes.
  const password = new TextEncoder().encode(passphrase.normalize("NFKC"));
  return scryptAsync(password, salt, { ...params, dkLen: SECRETBOX_KEY_LENGTH, onProgress });
}

export async function sealSecretKey(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  passphrase: string,
  options: SealOptions = {},
): Promise<KeyBackup> {
  assertLength(secretKey, KEY_LENGTH, "secret key");
  if (!equalBytes(publicKeyFromSecretKey(secretKey), publicKey)) {
    throw new CryptoError("invalid-input", "public key does not belong to the secret key");
  }
  if (passphrase.length === 0) throw new CryptoError("invalid-input", "passphrase is empty");
  const params = scryptParamsSchema.safeParse(options.scrypt ?? DEFAULT_SCRYPT);
  if (!params.success) throw new CryptoError("invalid-input", "scrypt parameters out of range");
  const { address } = options;
  const addressBytes =
    address === undefined ? new Uint8Array(0) : prefixedHexToBytes(address, ADDRESS_LENGTH);

  const salt = nacl.randomBytes(SALT_LENGTH);
  const nonce = nacl.randomBytes(SECRETBOX_NONCE_LENGTH);
  const kek = await deriveKek(passphrase, salt, params.data, options.onProgress);
  const plaintext = new Uint8Array(KEY_LENGTH + addressBytes.length);
  plaintext.set(secretKey);
  plaintext.set(addressBytes, KEY_LENGTH);
  const ciphertext = secretboxSeal(plaintext, nonce, kek);
  plaintext.fill(0);
  kek.fill(0);
  return {
    format: "ehr-key-backup",
    version: 1,
    kdf: { name: "scrypt", ...params.data, salt: bytesToBase64(salt) },
    nonce: bytesToBase64(nonce),
    ciphertext: bytesToBase64(ciphertext),
    publicKey: publicKeyToHex(publicKey),
    ...(address === undefined ? {} : { address }),
  };
}

// For the restore screen: the text of an uploaded backup file.
export function parseKeyBackup(text: string): KeyBackup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CryptoError("corrupt-backup", "backup is not JSON");
  }
  const parsed = keyBackupSchema.safeParse(json);
  if (!parsed.success) throw new CryptoError("corrupt-backup", parsed.error.issues[0]?.message);
  return parsed.data;
}

export async function openSecretKey(
  backup: unknown,
  passphrase: string,
  options: { onProgress?: (fraction: number) => void } = {},
): Promise<{ secretKey: Uint8Array; publicKey: Uint8Array }> {
  const parsed = keyBackupSchema.safeParse(backup);
  if (!parsed.success) throw new CryptoError("corrupt-backup", parsed.error.issues[0]?.message);
  const { kdf, nonce, ciphertext, publicKey, address } = parsed.data;
  const { N, r, p } = kdf;
  const kek = await deriveKek(passphrase, base64ToBytes(kdf.salt), { N, r, p }, options.onProgress);
  const plaintext = secretboxOpen(base64ToBytes(ciphertext), base64ToBytes(nonce), kek);
  kek.fill(0);
  if (!plaintext) throw new CryptoError("wrong-passphrase");

  const addressBytes =
    address === undefined ? new Uint8Array(0) : prefixedHexToBytes(address, ADDRESS_LENGTH);
  const secretKey = plaintext.slice(0, KEY_LENGTH);
  const publicKeyBytes = prefixedHexToBytes(publicKey, KEY_LENGTH);
  const consistent =
    equalBytes(plaintext.subarray(KEY_LENGTH), addressBytes) &&
    equalBytes(publicKeyFromSecretKey(secretKey), publicKeyBytes);
  plaintext.fill(0);
  if (!consistent) throw new CryptoError("corrupt-backup", "backup fields do not match its key");
  return { secretKey, publicKey: publicKeyBytes };
}
