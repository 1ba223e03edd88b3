// Browser use cases for sharing: who may read an upload, grant, revoke, who can see what, the access log.
export * as sharingApi from "./api";
export { checkDoctorKey, doctorLabel, type DoctorKeyCheck, type DoctorKeyProblem } from "./doctor-key";
export { findUploadRecipients, type SkippedRecipient } from "./recipients";
export { uploadSharedRecord, type SharedUploadProgress } from "./upload";
export { grantToDoctor, planGrant, describeGrant, GrantError, type GrantScope, type GrantStep, type GrantProgress, type GrantResult, type AllRecordsMode } from "./grant";
export { revokeFromDoctor, pruneAfterRevoke, RevokeError, type RevokeScope, type RevokeProgress } from "./revoke";
export { loadCurrentShares, holdsGrant } from "./shares";
export { loadAccessLog, recordLabel, auditRequest, auditDecision, HISTORY_KINDS, type AccessLogView } from "./access-log";
export { EXPIRY_PRESET_DAYS, expiryFromChoice, describeExpiry, formatTime, isExpired, nowSeconds, type ExpiryChoice } from "./expiry";
