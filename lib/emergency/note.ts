import { bytesToBase64, base64ToBytes, decryptJson, encryptJson, randomDataKey, sha256Hex, unwrapKey, wrapKey, WRAPPED_KEY_LENGTH } from "@/lib/crypto";

/*
 * A doctor's emergency note: encrypted once under a fresh note key (lib/crypto encryptJson), the note key
 * wrapped for each reader (the patient and every administrator with a key). What is stored per reader is
 * wrappedNoteKey(81) || ciphertext; the chain holds sha256(ciphertext) (requestEmergencyAccess noteHash).
 */

export interface SealedNote {
  /** 0x + sha256 of the ciphertext, for the chain. */
  noteHash: string;
  /** Per reader (lowercase address): base64 of wrappedNoteKey || ciphertext. */
  sealed: { recipient: string; sealedNote: string }[];
}

export function sealNote(text: string, readers: ReadonlyArray<{ address: string; publicKey: Uint8Array }>): SealedNote {
  const noteKey = randomDataKey();
  try {
    const ciphertext = encryptJson(noteKey, { note: text });
    const sealed = readers.map((reader) => {
      const wrapped = wrapKey(noteKey, reader.publicKey);
      const bytes = new Uint8Array(wrapped.length + ciphertext.length);
      bytes.set(wrapped);
      bytes.set(ciphertext, wrapped.length);
      return { recipient: reader.address.toLowerCase(), sealedNote: bytesToBase64(bytes) };
    });
    return { noteHash: `0x${sha256Hex(ciphertext)}`, sealed };
  } finally {
    noteKey.fill(0);
  }
}

/** The note hash of a stored sealed note (what the server compares with the chain). */
export function noteHashOf(sealedNote: Uint8Array): string {
  return `0x${sha256Hex(sealedNote.subarray(WRAPPED_KEY_LENGTH))}`;
}

/** Opens a sealed note with the reader's secret key. */
export function openNote(sealedNote: string, secretKey: Uint8Array): string {
  const bytes = base64ToBytes(sealedNote);
  const noteKey = unwrapKey(bytes.subarray(0, WRAPPED_KEY_LENGTH), secretKey);
  try {
    const value = decryptJson(noteKey, bytes.subarray(WRAPPED_KEY_LENGTH)) as { note?: unknown };
    return typeof value.note === "string" ? value.note : "";
  } finally {
    noteKey.fill(0);
  }
}

