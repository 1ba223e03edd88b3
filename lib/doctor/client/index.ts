// Browser use cases of the doctor portal: the patients who shared records, opening one (logged on chain first).
export { loadMyPatientsPage, PATIENTS_PAGE_SIZE, type PatientsPage, formatExpiry, isExpired, type PatientOfDoctor, type SharedEntry, type RecordAccess } from "./patients";
export { openSharedRecord } from "./open-shared";
