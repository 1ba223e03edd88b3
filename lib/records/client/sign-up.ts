import { encryptionKeyOf, isPatient, registerPatient, ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import { KeystoreError, type UnlockedKey } from "@/lib/keystore";
import type { KeyBackup } from "@/lib/crypto";
import * as api from "./api";
import type { ProfileFields } from "./metadata";
import { saveProfile } from "./profile";

export type SignUpStep = { step: "register"; tx: TxStatus } | { step: "publish" } | { step: "profile" } | { step: "done" };

/**
 * After the sealed key is stored and its backup downloaded: registerPatient(publicKey) in the wallet (skipped
 * when this key is already registered, e.g. a retry), then publish the key to the key store (accepted only
 * once it is on chain), then the encrypted profile.
 */
export async function signUpOnChain(chain: BrowserChain, key: UnlockedKey, profile: ProfileFields | null, onStep: (step: SignUpStep) => void): Promise<void> {
  if (await isPatient(chain, key.address)) {
    const onChainKey = await encryptionKeyOf(chain, key.address);
    if (onChainKey !== key.publicKeyHex.toLowerCase()) {
      throw new ChainError("This wallet is already registered with a different key. Restore that key from its backup file instead.", "failed");
    }
  } else {
    await registerPatient(chain, key.publicKeyHex, (tx) => onStep({ step: "register", tx }));
  }
  onStep({ step: "publish" });
  await api.putMyPublicKey(key.publicKeyHex);
  if (profile && Object.values(profile).some((value) => value.trim() !== "")) {
    onStep({ step: "profile" });
    await saveProfile(profile, key.publicKey);
  }
  onStep({ step: "done" });
}

/**
 * The guard for "Create a new key instead", run right before the new key replaces the stored one: reads
 * the chain again and refuses when this wallet is already registered. If the stored key is the one on
 * chain it is the only key that opens the patient's records and must never be overwritten; if another
 * key is registered, a new key could not be registered anyway.
 */
export async function assertNewKeyAllowed(chain: BrowserChain, address: string, stored: KeyBackup | undefined): Promise<void> {
  if (!(await isPatient(chain, address))) return;
  const onChainKey = await encryptionKeyOf(chain, address);
  if (stored && onChainKey && stored.publicKey.toLowerCase() === onChainKey.toLowerCase()) {
    throw new KeystoreError(
      "key-registered",
      "The key already stored in this browser is the one registered on chain for this wallet, so it was kept and no new key was made. Reload the page and unlock it with its passphrase (or restore it from your backup file).",
    );
  }
  throw new KeystoreError(
    "key-registered",
    "This wallet is already registered on chain with another key, so no new key was made and this browser's key was kept. Restore the registered key from its backup file.",
  );
}
