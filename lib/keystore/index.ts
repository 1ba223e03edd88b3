// The passphrase-sealed key per wallet address on this device (IndexedDB); unlocked keys live in memory only.
export {
  KeystoreError,
  MIN_PASSPHRASE_LENGTH,
  backupFileName,
  backupFileText,
  createSealedKey,
  loadStoredBackup,
  passphraseStrength,
  replaceStoredBackup,
  restoreFromBackupFile,
  unlockStoredKey,
  type KeystoreErrorCode,
  type UnlockedKey,
} from "./keystore";
export { loadPendingRotation, savePendingRotation, deletePendingRotation, type PendingRotation } from "./pending-rotation";
