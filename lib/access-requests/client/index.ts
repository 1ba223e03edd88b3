// Browser use cases for access requests: a doctor asks (reason sealed here), the patient approves through the grant flow or declines.
export * as accessRequestsApi from "./api";
export { askForAccess, AskError, type AskInput } from "./ask";
export { openReason, MAX_REASON_LENGTH } from "./reason";
export { recordsForRequest, expiryChoiceFor, REQUESTS_CHANGED_EVENT, announceRequestsChanged } from "./approve";
