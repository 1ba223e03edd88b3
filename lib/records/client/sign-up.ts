import { encryptionKeyOf, isPatient, registerPatient, ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";
import type { UnlockedKey } from "@/lib/keystore";
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
