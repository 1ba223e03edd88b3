import "server-only";
import { ApiError } from "@/lib/api";
import { doctorOf } from "@/lib/chain/server/doctors";
import { patientEncryptionKey } from "@/lib/chain/server/reads";
import { findUserKey, upsertUserKey } from "@/lib/db/repositories/users";

type Hex = `0x${string}`;

/** Stores the caller's public key, but only the one the chain anchors for them (as patient or doctor). */
export async function putMyKey(caller: Hex, publicKey: string): Promise<{ address: Hex; publicKey: Hex }> {
  const key = publicKey.toLowerCase() as Hex;
  const [asPatient, asDoctor] = await Promise.all([patientEncryptionKey(caller), doctorOf(caller)]);
  const onChain = [asPatient, asDoctor?.encryptionKey].filter((k): k is Hex => k !== undefined && !/^0x0{64}$/.test(k));
  if (onChain.length === 0) {
    throw new ApiError("invalid_input", "Your account has no encryption key on chain: register (or publish your key) first.", [
      { path: "publicKey", message: "no key on chain for this account" },
    ]);
  }
  if (!onChain.includes(key)) {
    throw new ApiError("invalid_input", "This key is not the encryption key the chain holds for your account.", [
      { path: "publicKey", message: "does not match the key on chain" },
    ]);
  }
  await upsertUserKey(caller, Buffer.from(key.slice(2), "hex"));
  return { address: caller, publicKey: key };
}

export async function getKey(address: Hex): Promise<{ address: Hex; publicKey: Hex }> {
  const key = await findUserKey(address);
  if (!key) throw new ApiError("not_found", `No encryption key is stored for ${address}.`);
  return { address, publicKey: `0x${Buffer.from(key).toString("hex")}` };
}
