// Isomorphic (browser and Node) cryptography for records: no network, storage or DOM access.
export { CryptoError, type CryptoErrorCode } from "./errors";
export { bytesToBase64, base64ToBytes } from "./encoding";
export {
  generateKeyPair,
  publicKeyFromSecretKey,
  publicKeyFromHex,
  publicKeyToHex,
  randomDataKey,
  type KeyPair,
} from "./keys";
export {
  wrapKey,
  unwrapKey,
  encodeWrappedKey,
  decodeWrappedKey,
  WRAPPED_KEY_LENGTH,
} from "./wrap-key";
export type { ByteSource } from "./byte-reader";
export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, encryptedSize } from "./envelope-format";
export { encryptStream, encryptBytes, encryptFile, type EncryptOptions, type EncryptBytesOptions, type SizedSource } from "./encrypt-stream";
export { decryptStream, decryptBytes } from "./decrypt-stream";
export { encryptJson, decryptJson } from "./metadata";
export { sha256Hex, sha256HexOfFile } from "./sha256";
export {
  sealSecretKey,
  openSecretKey,
  parseKeyBackup,
  DEFAULT_SCRYPT,
  type KeyBackup,
  type ScryptParams,
  type SealOptions,
} from "./key-backup";
