// Isomorphic: the server (before addRecord and when confirming) and the browser (when opening) both use it.
import { CID } from "multiformats/cid";

/** The parts of a CID that the chain keeps (PatientContract.addRecord): sha2-256 digest (0x + hex) and codec. */
export function cidChainParts(cid: string): { cidDigest: `0x${string}`; codec: number; hashCode: number } {
  const parsed = CID.parse(cid.trim());
  const hex = Array.from(parsed.multihash.digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return { cidDigest: `0x${hex}`, codec: parsed.code, hashCode: parsed.multihash.code };
}
