// FHIR R4 export and import, pure and isomorphic (types from @medplum/fhirtypes). The browser builds and reads
// Bundles here so that plaintext never leaves it.
export { buildExportBundle, zipExport, attachmentHash, zipPathFor, uuidFor, type ExportInput, type ExportResult, type ExportRecord, type ExportPerson, type ExportGrant, type ExportAccess, type ExportMetadata } from "./export";
export { readImport, FhirImportError, SKIP_LABELS, isPdfBytes, sha256Hex, type ImportDraft, type ImportItem, type ImportReading, type ImportOptions, type ImportFile, type SkipReason } from "./import";
export { grantsOf, grantsOfShares, accessesOf } from "./grants";
