// One error type for the whole module, so callers can map `code` to a message or HTTP status.
export type CryptoErrorCode =
  | "invalid-input" // a caller passed a malformed key, option or encoding
  | "bad-magic" // not one of our envelopes at all
  | "unsupported-version" // one of ours, written by a newer format version
  | "tampered" // authentication failed: modified, wrong key, or forged
  | "truncated" // the input ended before the final chunk
  | "trailing-data" // bytes after the authenticated final chunk
  | "source-changed" // a file being encrypted delivered more or fewer bytes than its size
  | "unwrap-failed" // the wrapped key is not for this secret key, or was modified
  | "wrong-passphrase" // the key backup did not authenticate under this passphrase
  | "corrupt-backup"; // the key backup is malformed or inconsistent

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message?: string) {
    super(message ?? code);
    this.name = "CryptoError";
    this.code = code;
  }
}
