import {
  CryptoError,
  generateKeyPair,
  openSecretKey,
  parseKeyBackup,
  publicKeyToHex,
  sealSecretKey,
  type KeyBackup,
  type ScryptParams,
} from "@/lib/crypto";
import { idbGet, idbPut } from "./idb";

/*
 * The patient's X25519 secret key at rest: only ever the passphrase-sealed backup (lib/crypto
 * sealSecretKey: scrypt + secretbox, bound to the wallet address), one per wallet address, in IndexedDB.
 * Unlocking gives the raw key in memory only; it is never written anywhere.
 */

export type KeystoreErrorCode = "no-key" | "wrong-passphrase" | "corrupt-backup" | "wrong-account" | "key-mismatch" | "not-registered" | "key-registered";

export class KeystoreError extends Error {
  override name = "KeystoreError";
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The key pair in memory after unlocking. */
export interface UnlockedKey {
  address: string;
  publicKey: Uint8Array;
  publicKeyHex: string;
  secretKey: Uint8Array;
}

export const MIN_PASSPHRASE_LENGTH = 12;

const storageKey = (address: string) => `backup:${address.toLowerCase()}`;

export function backupFileName(address: string): string {
  return `ehr-key-backup-${address.toLowerCase()}.json`;
}

export function backupFileText(backup: KeyBackup): string {
  return `${JSON.stringify(backup, null, 2)}\n`;
}

/** The sealed backup stored on this device for `address`, if any. */
export async function loadStoredBackup(address: string): Promise<KeyBackup | undefined> {
  const stored = await idbGet(storageKey(address));
  if (stored === undefined) return undefined;
  try {
    return parseKeyBackup(JSON.stringify(stored));
  } catch {
    return undefined;
  }
}

async function storeBackup(address: string, backup: KeyBackup): Promise<void> {
  await idbPut(storageKey(address), backup);
}

/** Replaces the sealed key stored for `address` (the last step of a key rotation, once the server swapped its keys). */
export async function replaceStoredBackup(address: string, backup: KeyBackup): Promise<void> {
  await storeBackup(address.toLowerCase(), backup);
}

function explain(error: unknown): never {
  if (error instanceof CryptoError && error.code === "wrong-passphrase") {
    throw new KeystoreError("wrong-passphrase", "That passphrase does not open this key. Check it and try again.");
  }
  if (error instanceof CryptoError && error.code === "corrupt-backup") {
    throw new KeystoreError("corrupt-backup", "This backup file is damaged or is not an EHR key backup.");
  }
  throw error;
}

/**
 * A new key pair sealed under the passphrase; stored on this device for `address`, replacing what was there.
 * `beforeStore` runs right before the write with the backup stored now (re-read, not a stale copy) and may
 * throw to keep it, e.g. when that key is the one registered on chain; the new key is then zeroed.
 */
export async function createSealedKey(
  address: string,
  passphrase: string,
  options: { scrypt?: ScryptParams; onProgress?: (fraction: number) => void; beforeStore?: (existing: KeyBackup | undefined) => Promise<void> | void } = {},
): Promise<{ backup: KeyBackup; key: UnlockedKey }> {
  const { beforeStore, ...sealOptions } = options;
  const pair = generateKeyPair();
  const normalized = address.toLowerCase();
  try {
    const backup = await sealSecretKey(pair.secretKey, pair.publicKey, passphrase, { ...sealOptions, address: normalized });
    if (beforeStore) await beforeStore(await loadStoredBackup(normalized));
    await storeBackup(normalized, backup);
    return {
      backup,
      key: { address: normalized, publicKey: pair.publicKey, publicKeyHex: publicKeyToHex(pair.publicKey), secretKey: pair.secretKey },
    };
  } catch (error) {
    pair.secretKey.fill(0);
    throw error;
  }
}

async function open(backup: KeyBackup, address: string, passphrase: string, onProgress?: (fraction: number) => void): Promise<UnlockedKey> {
  if (backup.address !== undefined && backup.address.toLowerCase() !== address.toLowerCase()) {
    throw new KeystoreError("wrong-account", `This backup belongs to wallet ${backup.address}, not to ${address}.`);
  }
  const { secretKey, publicKey } = await openSecretKey(backup, passphrase, { onProgress }).catch(explain);
  return { address: address.toLowerCase(), publicKey, publicKeyHex: publicKeyToHex(publicKey), secretKey };
}

/** Unlocks the key stored on this device with the passphrase (in memory only). */
export async function unlockStoredKey(address: string, passphrase: string, onProgress?: (fraction: number) => void): Promise<UnlockedKey> {
  const backup = await loadStoredBackup(address);
  if (!backup) throw new KeystoreError("no-key", "There is no key for this wallet on this device. Restore it from your backup file.");
  return open(backup, address, passphrase, onProgress);
}

/**
 * Restores a backup file: parses it, opens it with the passphrase, checks that its public key is the one
 * on chain for `address`, and only then stores it (replacing what this device had). Any failure stores nothing.
 */
export async function restoreFromBackupFile(
  address: string,
  fileText: string,
  passphrase: string,
  chainPublicKeyHex: string | undefined,
  onProgress?: (fraction: number) => void,
): Promise<UnlockedKey> {
  let backup: KeyBackup;
  try {
    backup = parseKeyBackup(fileText);
  } catch (error) {
    explain(error);
  }
  const key = await open(backup, address, passphrase, onProgress);
  if (!chainPublicKeyHex) {
    throw new KeystoreError("not-registered", "This wallet is not registered as a patient on chain, so the backup cannot be checked.");
  }
  if (key.publicKeyHex.toLowerCase() !== chainPublicKeyHex.toLowerCase()) {
    key.secretKey.fill(0);
    throw new KeystoreError("key-mismatch", "This backup holds a different key from the one registered on chain for this wallet.");
  }
  await storeBackup(address.toLowerCase(), backup);
  return key;
}

/** A rough strength hint for the sign-up form (length and character variety), not a policy. */
export function passphraseStrength(passphrase: string): { score: 0 | 1 | 2 | 3; label: string } {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) return { score: 0, label: `Too short: use at least ${MIN_PASSPHRASE_LENGTH} characters` };
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(passphrase)).length;
  const words = passphrase.trim().split(/\s+/).length;
  const points = (passphrase.length >= 16 ? 1 : 0) + (passphrase.length >= 24 ? 1 : 0) + (classes >= 3 ? 1 : 0) + (words >= 4 ? 1 : 0);
  if (points >= 3) return { score: 3, label: "Strong" };
  if (points >= 1) return { score: 2, label: "Fair: a longer passphrase (four or more words) is stronger" };
  return { score: 1, label: "Weak: add words, or mix letters, digits and symbols" };
}
