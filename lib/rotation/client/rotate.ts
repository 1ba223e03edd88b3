import { encryptionKeyOf, getDoctor, setDoctorEncryptionKey, ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { decodeWrappedKey, encodeWrappedKey, generateKeyPair, openSecretKey, publicKeyToHex, sealSecretKey, unwrapKey, wrapKey, type KeyBackup } from "@/lib/crypto";
import { ApiClientError } from "@/lib/api/client/http";
import {
  deletePendingRotation,
  KeystoreError,
  loadPendingRotation,
  replaceStoredBackup,
  savePendingRotation,
  unlockStoredKey,
  type PendingRotation,
  type UnlockedKey,
} from "@/lib/keystore";
import { rotationConflictSchema, type RotationKeysResponse } from "@/lib/rotation/schemas";
import * as api from "./api";
import { setPatientEncryptionKey } from "./chain";

export type RotationStep = "check" | "newkey" | "rewrap" | "stage" | "chain" | "swap" | "done";

export type RotationProgress =
  | { step: "check" }
  | { step: "newkey"; fraction: number }
  | { step: "rewrap"; done: number; total: number }
  | { step: "stage"; staged: number; total: number }
  | { step: "chain"; role: "patient" | "doctor"; tx: TxStatus }
  | { step: "swap"; attempt: number }
  | { step: "done" };

export interface RotationResult {
  /** The new key pair, unlocked (the caller zeroes it when done). */
  key: UnlockedKey;
  /** The new key's sealed backup, to download. */
  backup: KeyBackup;
  /** Keys re-wrapped for the new key. */
  rewrapped: number;
  /** Keys that neither the old nor the new key opens (unreadable before the rotation too); kept as they were. */
  unreadable: number;
}

/** A rotation that stopped, with where, and whether its new key may already be on chain (then it must be finished). */
export class RotationError extends Error {
  override name = "RotationError";
  constructor(
    message: string,
    readonly step: RotationStep,
    readonly cause?: unknown,
    readonly mayBeOnChain = false,
  ) {
    super(message);
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits between tries of the swap while the server's node has not seen the new key yet. */
const SWAP_RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];

/** The roles whose key on chain is `publicKey` (one device key may serve a wallet's patient and doctor roles). */
async function rolesHolding(chain: BrowserChain, address: string, publicKey: string): Promise<("patient" | "doctor")[]> {
  const [patient, doctor] = await Promise.all([encryptionKeyOf(chain, address), getDoctor(chain, address)]);
  const key = publicKey.toLowerCase();
  return [...(patient === key ? (["patient"] as const) : []), ...(doctor?.encryptionKey === key ? (["doctor"] as const) : [])];
}

/** Re-wraps one data key for the new key: opened with the old key, or already for the new one, or neither (kept). */
function rewrap(wrapped: string, oldSecret: Uint8Array | undefined, next: UnlockedKey): { wrappedKey: string; readable: boolean } {
  const bytes = decodeWrappedKey(wrapped);
  for (const secret of [oldSecret, next.secretKey]) {
    if (!secret) continue;
    let dataKey: Uint8Array | undefined;
    try {
      dataKey = unwrapKey(bytes, secret);
    } catch {
      continue;
    }
    try {
      if (secret === next.secretKey) return { wrappedKey: wrapped, readable: true };
      const sealed = wrapKey(dataKey, next.publicKey);
      // Check the new wrap opens before it replaces anything.
      unwrapKey(sealed, next.secretKey).fill(0);
      return { wrappedKey: encodeWrappedKey(sealed), readable: true };
    } finally {
      dataKey.fill(0);
    }
  }
  return { wrappedKey: wrapped, readable: false };
}

/**
 * Re-wraps and stages `ids` (all the caller's data keys when undefined), the profile's key and the sealed keys
 * `sealedRefs` (all when undefined) for the new key. Returns counts of data keys.
 */
async function stageKeys(
  state: RotationKeysResponse,
  ids: readonly string[] | undefined,
  withProfile: boolean,
  sealedRefs: readonly { kind: string; ref: string }[] | undefined,
  oldKey: UnlockedKey | undefined,
  next: UnlockedKey,
  onProgress: (progress: RotationProgress) => void,
): Promise<{ rewrapped: number; unreadable: number }> {
  const wanted = ids ? new Set(ids) : undefined;
  const rows = state.keys.filter((row) => !wanted || wanted.has(row.id));
  const keys: { id: string; wrappedKey: string }[] = [];
  let unreadable = 0;
  onProgress({ step: "rewrap", done: 0, total: rows.length });
  for (const row of rows) {
    const result = rewrap(row.wrappedKey, oldKey?.secretKey, next);
    if (!result.readable) unreadable++;
    keys.push({ id: row.id, wrappedKey: result.wrappedKey });
    onProgress({ step: "rewrap", done: keys.length, total: rows.length });
  }
  const profileWrappedKey = withProfile && state.profileWrappedKey ? rewrap(state.profileWrappedKey, oldKey?.secretKey, next).wrappedKey : undefined;
  const wantedSealed = sealedRefs && new Set(sealedRefs.map((item) => `${item.kind}:${item.ref}`));
  const sealed = state.sealed
    .filter((item) => !wantedSealed || wantedSealed.has(`${item.kind}:${item.ref}`))
    .map((item) => ({ kind: item.kind, ref: item.ref, wrappedKey: rewrap(item.wrappedKey, oldKey?.secretKey, next).wrappedKey }));
  onProgress({ step: "stage", staged: 0, total: keys.length });
  const oldPublicKey = (oldKey?.publicKeyHex ?? state.rotation?.oldPublicKey ?? "").toLowerCase();
  await api.stageRotation({ oldPublicKey: oldPublicKey as `0x${string}`, newPublicKey: next.publicKeyHex.toLowerCase() as `0x${string}`, keys, profileWrappedKey, sealed }, (staged) =>
    onProgress({ step: "stage", staged, total: keys.length }),
  );
  return { rewrapped: keys.length - unreadable, unreadable };
}

/**
 * Runs a rotation from wherever it stands, idempotently (a fresh start, or a visit after an interruption):
 * 1. read what is wrapped for the caller and the open rotation on the server;
 * 2. re-wrap every key for the new key in this browser and stage it on the server under the new public key
 *    (skipped when the server already holds this rotation: only keys it reports missing are re-wrapped, step 4);
 * 3. publish the new key on chain, in each role whose chain key is still the old one;
 * 4. ask the server to swap the staged keys in: it does so only once the chain shows the new key (retried while
 *    it does not yet; keys wrapped meanwhile are re-wrapped and staged, then retried);
 * 5. replace this device's stored key with the new one and forget the pending rotation.
 * The old key (`oldKey`, optional when finishing) is never dropped before step 5.
 */
async function runRotation(
  chain: BrowserChain,
  pending: PendingRotation,
  oldKey: UnlockedKey | undefined,
  next: UnlockedKey,
  onProgress: (progress: RotationProgress) => void,
): Promise<{ rewrapped: number; unreadable: number }> {
  const address = pending.address;
  const newPublicKey = next.publicKeyHex.toLowerCase();
  let counts = { rewrapped: 0, unreadable: 0 };

  // 1-2. Stage (unless the server already swapped, or already holds this rotation).
  let state: RotationKeysResponse;
  try {
    state = await api.getRotationKeys();
    const swapped = state.publicKey?.toLowerCase() === newPublicKey;
    const staged = state.rotation?.newPublicKey.toLowerCase() === newPublicKey;
    if (!swapped && !staged) {
      if (!oldKey) throw new RotationError("Your old key is needed to re-wrap your keys; unlock it with your passphrase.", "rewrap");
      if (state.publicKey?.toLowerCase() !== oldKey.publicKeyHex.toLowerCase()) {
        throw new RotationError("The key store does not hold your current key; reload the page and try again.", "stage");
      }
      counts = await stageKeys(state, undefined, true, undefined, oldKey, next, onProgress);
    }
    if (swapped) {
      await finishOnDevice(pending, next, onProgress);
      return counts;
    }
  } catch (error) {
    if (error instanceof RotationError) throw error;
    throw new RotationError(`Your keys could not be re-wrapped and staged: ${reasonOf(error)}. Nothing changed; your current key still works.`, "stage", error);
  }

  // 3. Publish the new key on chain in each role that still holds the old one.
  let roles: ("patient" | "doctor")[];
  try {
    roles = await rolesHolding(chain, address, pending.oldPublicKey);
  } catch (error) {
    throw new RotationError(`The chain could not be read: ${reasonOf(error)}. Try again.`, "chain", error);
  }
  for (const role of roles) {
    try {
      const onStatus = (tx: TxStatus) => onProgress({ step: "chain", role, tx });
      if (role === "patient") await setPatientEncryptionKey(chain, next.publicKeyHex, onStatus);
      else await setDoctorEncryptionKey(chain, next.publicKeyHex, onStatus);
    } catch (error) {
      const reason = error instanceof ChainError ? error.message.replace(/\.$/, "") : `The transaction failed (${reasonOf(error)})`;
      const mayBeOnChain = !(error instanceof ChainError) || error.mayBeOnChain;
      throw new RotationError(
        mayBeOnChain
          ? `${reason}. Your new key may still be recorded on chain; reload this page to finish the rotation (your old key is kept until it is finished).`
          : `${reason}. Nothing changed on chain: your current key still works.`,
        "chain",
        error,
        mayBeOnChain,
      );
    }
  }

  // 4. The swap, once the server's chain view shows the new key.
  for (let attempt = 1; ; attempt++) {
    onProgress({ step: "swap", attempt });
    try {
      await api.completeRotation(newPublicKey);
      break;
    } catch (error) {
      const conflict = error instanceof ApiClientError && error.status === 409 ? rotationConflictSchema.safeParse(error.details) : undefined;
      const delay = SWAP_RETRY_DELAYS_MS[attempt - 1];
      if (conflict?.success && delay !== undefined) {
        if (conflict.data.reason === "unstaged") {
          const missing = await stageKeys(await api.getRotationKeys(), conflict.data.ids, conflict.data.profile, conflict.data.sealed, oldKey, next, onProgress);
          counts = { rewrapped: counts.rewrapped + missing.rewrapped, unreadable: counts.unreadable + missing.unreadable };
          onProgress({ step: "swap", attempt });
        } else {
          await sleep(delay);
        }
        continue;
      }
      throw new RotationError(
        `Your new key is on chain, but the key store has not switched to it yet: ${reasonOf(error)}. Your old key is kept on this device; reload this page to finish the rotation.`,
        "swap",
        error,
        true,
      );
    }
  }

  // 5. Only now does the new key replace the old one on this device.
  await finishOnDevice(pending, next, onProgress);
  return counts;
}

async function finishOnDevice(pending: PendingRotation, next: UnlockedKey, onProgress: (progress: RotationProgress) => void): Promise<void> {
  await replaceStoredBackup(pending.address, pending.newBackup);
  await deletePendingRotation(pending.address);
  onProgress({ step: "done" });
  void next;
}

/**
 * Rotates the unlocked key: checks the passphrase against the key stored here, makes a new X25519 key pair sealed
 * under the same passphrase and keeps it as a pending rotation beside the old key, then runs the rotation
 * (runRotation). On success the caller holds the new key and should offer its backup file.
 */
export async function rotateKey(
  args: { chain: BrowserChain; key: UnlockedKey; passphrase: string },
  onProgress: (progress: RotationProgress) => void,
): Promise<RotationResult> {
  const { chain, key, passphrase } = args;
  const address = key.address.toLowerCase();

  // 1. The passphrase must open the key stored here, and it must be the key in use.
  onProgress({ step: "check" });
  let check: UnlockedKey;
  try {
    check = await unlockStoredKey(address, passphrase);
  } catch (error) {
    throw new RotationError(error instanceof KeystoreError ? error.message : `Your key could not be checked: ${reasonOf(error)}`, "check", error);
  }
  const same = check.publicKeyHex.toLowerCase() === key.publicKeyHex.toLowerCase();
  check.secretKey.fill(0);
  if (!same) throw new RotationError("The key stored in this browser is not the one you unlocked; reload the page.", "check");
  const existing = await loadPendingRotation(address);
  if (existing) throw new RotationError("A rotation of this key is already in progress; reload the page to finish it.", "check");

  // 2. The new key pair, sealed under the same passphrase, kept beside the old key until the rotation is finished.
  onProgress({ step: "newkey", fraction: 0 });
  const pair = generateKeyPair();
  const next: UnlockedKey = { address, publicKey: pair.publicKey, publicKeyHex: publicKeyToHex(pair.publicKey), secretKey: pair.secretKey };
  let backup: KeyBackup;
  try {
    backup = await sealSecretKey(pair.secretKey, pair.publicKey, passphrase, { address, onProgress: (fraction) => onProgress({ step: "newkey", fraction }) });
  } catch (error) {
    pair.secretKey.fill(0);
    throw new RotationError(`The new key could not be sealed: ${reasonOf(error)}. Nothing changed.`, "newkey", error);
  }
  const pending: PendingRotation = { address, oldPublicKey: key.publicKeyHex.toLowerCase(), newBackup: backup, startedAt: new Date().toISOString() };
  await savePendingRotation(pending);

  try {
    const counts = await runRotation(chain, pending, key, next, onProgress);
    return { key: next, backup, ...counts };
  } catch (error) {
    // Nothing reached the chain: drop the pending rotation (and what was staged), the old key stays in use.
    if (error instanceof RotationError && !error.mayBeOnChain && error.step !== "swap") {
      await discardRotation(chain, address).catch(() => undefined);
    }
    next.secretKey.fill(0);
    throw error;
  }
}

/**
 * Finishes a rotation found on this device (interrupted by a closed page, a network failure, a slow chain):
 * opens the new key and, when the server still needs keys re-wrapped, the old key, both with the passphrase,
 * then runs the rotation from where it stopped.
 */
export async function finishRotation(
  args: { chain: BrowserChain; address: string; passphrase: string },
  onProgress: (progress: RotationProgress) => void,
): Promise<RotationResult> {
  const address = args.address.toLowerCase();
  const pending = await loadPendingRotation(address);
  if (!pending) throw new RotationError("No unfinished rotation was found on this device.", "check");
  onProgress({ step: "check" });
  let next: UnlockedKey;
  try {
    const opened = await openSecretKey(pending.newBackup, args.passphrase, { onProgress: (fraction) => onProgress({ step: "newkey", fraction }) });
    next = { address, publicKey: opened.publicKey, publicKeyHex: publicKeyToHex(opened.publicKey), secretKey: opened.secretKey };
  } catch (error) {
    throw new RotationError("That passphrase does not open your new key. Use the passphrase of the key you rotated.", "check", error);
  }
  // The old key: still stored here unless the rotation already replaced it; it may be lost (then only what the
  // server already staged is carried over).
  const oldKey = await unlockStoredKey(address, args.passphrase).catch(() => undefined);
  try {
    const counts = await runRotation(args.chain, pending, oldKey?.publicKeyHex.toLowerCase() === pending.oldPublicKey ? oldKey : undefined, next, onProgress);
    return { key: next, backup: pending.newBackup, ...counts };
  } catch (error) {
    next.secretKey.fill(0);
    throw error;
  } finally {
    oldKey?.secretKey.fill(0);
  }
}

/** Abandons a rotation whose new key never reached the chain: the server's staged keys and this device's pending key. */
export async function discardRotation(chain: BrowserChain, address: string): Promise<void> {
  const pending = await loadPendingRotation(address);
  if (pending && (await rolesHolding(chain, address, pending.newBackup.publicKey)).length > 0) {
    throw new RotationError("Your new key is already on chain: this rotation must be finished, not cancelled.", "chain", undefined, true);
  }
  await api.cancelRotation();
  await deletePendingRotation(address);
}

/** Whether the chain already holds the pending rotation's new key (then it must be finished, not cancelled). */
export async function pendingReachedChain(chain: BrowserChain, pending: PendingRotation): Promise<boolean> {
  return (await rolesHolding(chain, pending.address, pending.newBackup.publicKey)).length > 0;
}
