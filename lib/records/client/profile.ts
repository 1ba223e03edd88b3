import * as api from "./api";
import { openJson, sealJson, unwrapDataKey } from "./envelope";
import { profileFieldsSchema, type ProfileFields } from "./metadata";

/** Encrypts the profile for the patient's own key and stores it; the server only sees ciphertext. */
export async function saveProfile(profile: ProfileFields, publicKey: Uint8Array): Promise<void> {
  const sealed = sealJson(profileFieldsSchema.parse(profile), publicKey);
  sealed.dataKey.fill(0);
  await api.putProfile({ encryptedProfile: sealed.ciphertext, wrappedKey: sealed.wrappedKey });
}

/** The patient's decrypted profile, or null when none was saved. */
export async function loadProfile(secretKey: Uint8Array): Promise<ProfileFields | null> {
  const stored = await api.getProfile();
  if (!stored) return null;
  const dataKey = unwrapDataKey(stored.wrappedKey, secretKey);
  try {
    return openJson(profileFieldsSchema, dataKey, stored.encryptedProfile);
  } finally {
    dataKey.fill(0);
  }
}
