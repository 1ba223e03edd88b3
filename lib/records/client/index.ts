// Browser use cases for records: sign-up, upload, list/filter/search, open/verify; typed fetch wrappers.
export { ApiClientError } from "./api";
export * as recordsApi from "./api";
export { saveProfile, loadProfile } from "./profile";
export { RECORD_CATEGORIES, categoryLabel, FIELD_LIMITS, EMPTY_PROFILE, type RecordMetadata, type ProfileFields, type RecordCategory } from "./metadata";
export { DEFAULT_MAX_UPLOAD_BYTES, validateUploadForm, looksLikePdf, hashFile, formatBytes, type UploadFormInput, type FieldErrors, type UploadField } from "./upload-form";
export { uploadRecord, confirmRecordUpload, CONFIRM_RETRY_DELAYS_MS, UploadError, type PendingConfirmation, type UploadProgress, type UploadStep } from "./upload";
export { loadMyRecords, filterRecords, findDuplicate, hospitalsOf, EMPTY_FILTER, type RecordEntry, type RecordFilter } from "./list";
export { openRecord, IntegrityError, INTEGRITY_MESSAGE, type ChainRecordRef, type OpenProgress } from "./open";
export { signUpOnChain, assertNewKeyAllowed, type SignUpStep } from "./sign-up";
