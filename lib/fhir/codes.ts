// Systems and codes of the FHIR resources we write and read. Our own identifiers are URNs (FHIR `uri`).

/** DocumentReference.identifier: the record id on chain (uint256 as decimal). */
export const RECORD_ID_SYSTEM = "urn:x-ehr:record-id";
/** DocumentReference.identifier: the IPFS CID of the encrypted file. */
export const CID_SYSTEM = "urn:x-ehr:ipfs-cid";
/** DocumentReference.identifier: where the record lives, "eip155:<chainId>:<PatientContract address>". */
export const CHAIN_SYSTEM = "urn:x-ehr:chain";
/** Patient / doctor identifier: the wallet address, "eip155:<chainId>:<address>". */
export const WALLET_SYSTEM = "urn:x-ehr:wallet";
/** AuditEvent.entity: the transaction that logged the access. */
export const TX_SYSTEM = "urn:x-ehr:tx-hash";
/** DocumentReference.category: our record categories (lib/records/client/metadata RECORD_CATEGORIES). */
export const CATEGORY_SYSTEM = "urn:x-ehr:record-category";
/** Attachment extension: the PDF's file name (R4 Attachment has no file name of its own). */
export const FILE_NAME_EXTENSION = "urn:x-ehr:file-name";

export const CONSENT_SCOPE = { system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy", display: "Privacy Consent" } as const;
export const CONSENT_CATEGORY = { system: "http://loinc.org", code: "59284-0", display: "Patient Consent" } as const;
export const CONSENT_ACTOR_ROLE = { system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "PRCP", display: "primary information recipient" } as const;
export const AUDIT_TYPE = { system: "http://dicom.nema.org/resources/ontology/DCM", code: "110110", display: "Patient Record" } as const;
export const AUDIT_SUBTYPE_READ = { system: "http://hl7.org/fhir/restful-interaction", code: "read", display: "read" } as const;
