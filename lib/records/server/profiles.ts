import "server-only";
import { ApiError } from "@/lib/api";
import { findProfile, upsertProfile } from "@/lib/db/repositories/profiles";
import { fromBase64, toBase64 } from "./encoding";

export interface EncryptedProfile {
  encryptedProfile: string;
  wrappedKey: string;
}

/** Stores the caller's profile: ciphertext and its data key wrapped for them, nothing in the clear. */
export async function putProfile(caller: string, profile: EncryptedProfile): Promise<EncryptedProfile> {
  await upsertProfile(caller, { encryptedProfile: fromBase64(profile.encryptedProfile), wrappedKey: fromBase64(profile.wrappedKey) });
  return profile;
}

export async function getProfile(caller: string): Promise<EncryptedProfile> {
  const profile = await findProfile(caller);
  if (!profile) throw new ApiError("not_found", "You have no profile yet.");
  return { encryptedProfile: toBase64(profile.encryptedProfile), wrappedKey: toBase64(profile.wrappedKey) };
}
