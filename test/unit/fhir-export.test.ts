import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { Bundle, Consent, DocumentReference, Patient } from "@medplum/fhirtypes";
import { strFromU8, unzipSync } from "fflate";
import { buildExportBundle, zipExport, type ExportInput } from "@/lib/fhir/export";
import { CHAIN_SYSTEM, CID_SYSTEM, RECORD_ID_SYSTEM } from "@/lib/fhir/codes";
import { makePdf } from "../support/pdf-fixtures";
import { fhirSchemaErrors } from "./fhir-schema";

const patient = "0x1111111111111111111111111111111111111111";
const doctor = "0x2222222222222222222222222222222222222222";
const contract = "0x3333333333333333333333333333333333333333";
const idOf = (index: number) => ((BigInt(patient) << 96n) | BigInt(index)).toString();

const pdfs = [makePdf("Blood panel"), makePdf("Appendectomy discharge"), makePdf("Chest X-ray")];
const input = (attachments: "inline" | "zip"): ExportInput => ({
  chainId: 1337,
  contract,
  attachments,
  now: "2026-11-30T08:00:00.000Z",
  patient: { address: patient, name: "Ada Patient", dateOfBirth: "1990-02-03", sex: "Female", phone: "+44 20 7946 0000" },
  records: [
    { recordId: idOf(0), cid: "bafkreiaaaa", metadata: { title: "Blood panel", hospital: "St Mary", reason: "Check-up", admissionDate: "2024-03-04", dischargeDate: "2024-03-04", category: "lab-result", categoryLabel: "Lab result", fileName: "blood.pdf", mimeType: "application/pdf" }, bytes: pdfs[0]! },
    { recordId: idOf(1), cid: "bafkreibbbb", metadata: { title: "Appendectomy", hospital: "General", reason: "Appendicitis", admissionDate: "2025-06-10", dischargeDate: "2025-06-14", category: "discharge-summary", fileName: "dis/charge.pdf", mimeType: "application/pdf" }, bytes: pdfs[1]! },
    { recordId: idOf(2), cid: "bafkreicccc", metadata: { title: "X-ray", hospital: "General", reason: "Cough", admissionDate: "2025-09-02", dischargeDate: "2025-09-02", category: "imaging", fileName: "xray.pdf", mimeType: "application/pdf" }, bytes: pdfs[2]! },
  ],
  grants: [
    { doctor, doctorName: "Dr Grey (Cardiology)", expiresAt: 1_900_000_000, allRecords: false, recordIds: [idOf(0), idOf(2)], active: true },
    { doctor, doctorName: "Dr Grey (Cardiology)", expiresAt: 0, allRecords: true, recordIds: [], active: false },
  ],
  accesses: [{ doctor, doctorName: "Dr Grey", recordId: idOf(0), time: 1_780_000_000, txHash: `0x${"ab".repeat(32)}` }],
});

const resources = <T>(bundle: Bundle, type: string) => (bundle.entry ?? []).map((entry) => entry.resource).filter((resource) => resource?.resourceType === type) as T[];
const sha1Base64 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("base64");

describe("FHIR R4 export", () => {
  it("builds an inline Bundle that validates against the official R4 JSON schema", () => {
    const { bundle, files } = buildExportBundle(input("inline"));
    assert.deepEqual(fhirSchemaErrors(bundle).slice(0, 5), []);
    assert.equal(files.size, 0);
    assert.equal(bundle.type, "collection");
    assert.deepEqual((bundle.entry ?? []).map((entry) => entry.resource?.resourceType), ["Patient", "DocumentReference", "DocumentReference", "DocumentReference", "Consent", "Consent", "AuditEvent"]);
  });

  it("carries the PDFs inline with content type, size and a SHA-1 hash that match the files", () => {
    const { bundle } = buildExportBundle(input("inline"));
    resources<DocumentReference>(bundle, "DocumentReference").forEach((doc, index) => {
      const attachment = doc.content[0]!.attachment;
      const bytes = Buffer.from(attachment.data!, "base64");
      assert.ok(bytes.equals(pdfs[index]!));
      assert.equal(attachment.contentType, "application/pdf");
      assert.equal(attachment.size, pdfs[index]!.length);
      assert.equal(attachment.hash, sha1Base64(pdfs[index]!));
    });
  });

  it("maps the metadata: category, stay period, custodian, reason, identifiers (record id, CID, chain)", () => {
    const { bundle } = buildExportBundle(input("inline"));
    const [doc] = resources<DocumentReference>(bundle, "DocumentReference");
    assert.equal(doc!.category?.[0]?.coding?.[0]?.code, "lab-result");
    assert.deepEqual(doc!.context?.period, { start: "2024-03-04", end: "2024-03-04" });
    assert.equal(doc!.custodian?.display, "St Mary");
    assert.equal(doc!.description, "Check-up");
    const id = (system: string) => doc!.identifier?.find((identifier) => identifier.system === system)?.value;
    assert.equal(id(RECORD_ID_SYSTEM), idOf(0));
    assert.equal(id(CID_SYSTEM), "bafkreiaaaa");
    assert.equal(id(CHAIN_SYSTEM), `eip155:1337:${contract}`);
    const [person] = resources<Patient>(bundle, "Patient");
    assert.equal(person!.gender, "female");
    assert.equal(person!.birthDate, "1990-02-03");
    assert.equal(person!.name?.[0]?.text, "Ada Patient");
  });

  it("writes a Consent per grant: the doctor, the expiry, the records it covers", () => {
    const { bundle } = buildExportBundle(input("inline"));
    const [records, all] = resources<Consent>(bundle, "Consent");
    const docUrls = (bundle.entry ?? []).filter((entry) => entry.resource?.resourceType === "DocumentReference").map((entry) => entry.fullUrl);
    assert.equal(records!.status, "active");
    assert.equal(records!.provision?.period?.end, new Date(1_900_000_000_000).toISOString());
    assert.deepEqual(records!.provision?.data?.map((data) => data.reference.reference), [docUrls[0], docUrls[2]]);
    assert.equal(records!.provision?.actor?.[0]?.reference.identifier?.value, `eip155:1337:${doctor}`);
    assert.equal(all!.status, "inactive");
    const withUnknown = input("inline");
    withUnknown.grants = [{ doctor, expiresAt: 0, allRecords: false, recordIds: [idOf(7)], active: true }];
    const [unknown] = resources<Consent>(buildExportBundle(withUnknown).bundle, "Consent");
    assert.deepEqual(unknown!.provision?.data, [{ meaning: "instance", reference: { identifier: { system: RECORD_ID_SYSTEM, value: idOf(7) } } }], "a record not in the Bundle is named by its id");
    assert.equal(all!.provision?.data, undefined, "the all-records grant covers every record, named by its policy");
  });

  it("zips bundle.json with the PDFs as files its attachments point at; hashes match the files", () => {
    const result = buildExportBundle(input("zip"));
    const tree = unzipSync(zipExport(result));
    const bundle = JSON.parse(strFromU8(tree["bundle.json"]!)) as Bundle;
    assert.deepEqual(fhirSchemaErrors(bundle).slice(0, 5), []);
    const docs = resources<DocumentReference>(bundle, "DocumentReference");
    assert.deepEqual(
      docs.map((doc) => doc.content[0]!.attachment.url),
      ["files/001-blood.pdf", "files/002-dis_charge.pdf", "files/003-xray.pdf"],
    );
    docs.forEach((doc, index) => {
      const attachment = doc.content[0]!.attachment;
      const file = tree[attachment.url!]!;
      assert.equal(attachment.data, undefined);
      assert.ok(Buffer.from(file).equals(pdfs[index]!));
      assert.equal(attachment.hash, sha1Base64(file));
      assert.equal(attachment.size, file.length);
    });
  });

  it("is deterministic for the same input (stable urn:uuid full URLs)", () => {
    assert.deepEqual(buildExportBundle(input("inline")).bundle, buildExportBundle(input("inline")).bundle);
  });

  it("the schema check itself rejects a broken DocumentReference", () => {
    const { bundle } = buildExportBundle(input("inline"));
    const doc = resources<DocumentReference>(bundle, "DocumentReference")[0]! as unknown as Record<string, unknown>;
    doc.status = "not-a-status";
    assert.notDeepEqual(fhirSchemaErrors(bundle), []);
  });
});
