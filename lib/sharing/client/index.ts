// Browser use cases for sharing: find who may read an upload, grant, revoke, and read the access log.
export * as sharingApi from "./api";
export { checkDoctorKey, doctorLabel, type DoctorKeyCheck, type DoctorKeyProblem } from "./doctor-key";
export { findUploadRecipients, type SkippedRecipient } from "./recipients";
export { uploadSharedRecord, type SharedUploadProgress } from "./upload";
