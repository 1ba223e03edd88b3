import { encryptionKeyOf, getDoctor, isPatient, registerPatient, setDoctorEncryptionKey, ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { KeystoreError, type UnlockedKey } from "@/lib/keystore";
import type { KeyBackup } from "@/lib/crypto";
import * as api from "./api";
import type { ProfileFields } from "./metadata";
import { saveProfile } from "./profile";

/** Who holds the key: patients register with PatientContract, doctors publish theirs on DoctorContract. */
export type KeyRole = "patient" | "doctor";

export type SignUpStep = { step: "register"; tx: TxStatus } | { step: "publish" } | { step: "profile" } | { step: "done" };

/**
 * What the chain says about this wallet's key in `role`:
 * - `ready`: may hold a key in this role; `chainKey` is the registered public key (undefined: none yet);
 * - `not-registered` / `deactivated` (doctors only): not an active doctor, so no key screen applies.
 */
export type KeyStatus = { status: "ready"; chainKey: string | undefined } | { status: "not-registered" } | { status: "deactivated" };

export async function readKeyStatus(chain: BrowserChain, address: string, role: KeyRole): Promise<KeyStatus> {
  if (role === "patient") return { status: "ready", chainKey: await encryptionKeyOf(chain, address) };
  const doctor = await getDoctor(chain, address);
  if (!doctor) return { status: "not-registered" };
  if (!doctor.active) return { status: "deactivated" };
  return { status: "ready", chainKey: doctor.encryptionKey };
}

/** Every key registered on chain for this wallet, in any role (one device key may serve both roles). */
async function registeredKeys(chain: BrowserChain, address: string): Promise<{ patient?: string; doctor?: string }> {
  const [patient, doctor] = await Promise.all([encryptionKeyOf(chain, address), getDoctor(chain, address)]);
  return { patient, doctor: doctor?.encryptionKey };
}

/**
 * After the sealed key is stored and its backup downloaded: put the public key on chain in the wallet
 * (patient: registerPatient; doctor: DoctorContract.setEncryptionKey), skipped when this key is already
 * there (e.g. a retry), then publish it to the key store (accepted only once it is on chain), then the
 * patient's encrypted profile.
 */
export async function signUpOnChain(
  chain: BrowserChain,
  key: UnlockedKey,
  profile: ProfileFields | null,
  onStep: (step: SignUpStep) => void,
  role: KeyRole = "patient",
): Promise<void> {
  const publicKey = key.publicKeyHex.toLowerCase();
  if (role === "patient") {
    if (await isPatient(chain, key.address)) {
      if ((await encryptionKeyOf(chain, key.address)) !== publicKey) {
        throw new ChainError("This wallet is already registered with a different key. Restore that key from its backup file instead.", "failed");
      }
    } else {
      await registerPatient(chain, key.publicKeyHex, (tx) => onStep({ step: "register", tx }));
    }
  } else {
    const status = await readKeyStatus(chain, key.address, "doctor");
    if (status.status === "not-registered") throw new ChainError("This wallet is not registered as a doctor. Ask an administrator to register it.", "failed");
    if (status.status === "deactivated") throw new ChainError("Your doctor account is deactivated. Ask an administrator to reactivate it.", "failed");
    if (status.chainKey !== undefined && status.chainKey !== publicKey) {
      throw new ChainError("This doctor account already has a different key on chain. Restore that key from its backup file instead.", "failed");
    }
    if (status.chainKey === undefined) await setDoctorEncryptionKey(chain, key.publicKeyHex, (tx) => onStep({ step: "register", tx }));
  }
  onStep({ step: "publish" });
  await api.putMyPublicKey(key.publicKeyHex);
  if (role === "patient" && profile && Object.values(profile).some((value) => value.trim() !== "")) {
    onStep({ step: "profile" });
    await saveProfile(profile, key.publicKey);
  }
  onStep({ step: "done" });
}

/**
 * The guard for "Create a new key instead", run right before the new key replaces the stored one: reads
 * the chain again and refuses when the key stored here is registered on chain in any role (it is then
 * the only key that opens that role's records and must never be overwritten), or when this role already
 * has a key on chain (a new key could not be registered anyway).
 */
export async function assertNewKeyAllowed(chain: BrowserChain, address: string, stored: KeyBackup | undefined, role: KeyRole = "patient"): Promise<void> {
  const keys = await registeredKeys(chain, address);
  const storedKey = stored?.publicKey.toLowerCase();
  if (storedKey && (storedKey === keys.patient || storedKey === keys.doctor)) {
    throw new KeystoreError(
      "key-registered",
      "The key already stored in this browser is the one registered on chain for this wallet, so it was kept and no new key was made. Reload the page and unlock it with its passphrase (or restore it from your backup file).",
    );
  }
  if (keys[role] !== undefined) {
    throw new KeystoreError(
      "key-registered",
      "This wallet is already registered on chain with another key, so no new key was made and this browser's key was kept. Restore the registered key from its backup file.",
    );
  }
}
