import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { strToU8, zipSync } from "fflate";
import { buildExportBundle, zipExport, type ExportInput } from "@/lib/fhir/export";
import { FhirImportError, readImport, sha256Hex, type ImportFile } from "@/lib/fhir/import";
import { makePdf, NOT_A_PDF } from "../support/pdf-fixtures";

const pdfs = [makePdf("Blood panel"), makePdf("Appendectomy discharge")];
const input = (attachments: "inline" | "zip"): ExportInput => ({
  chainId: 1337,
  contract: "0x3333333333333333333333333333333333333333",
  attachments,
  patient: { address: "0x1111111111111111111111111111111111111111", name: "Ada" },
  records: [
    { recordId: "1", cid: "bafkreia", metadata: { title: "Blood panel", hospital: "St Mary", reason: "Check-up", admissionDate: "2024-03-04", dischargeDate: "2024-03-04", category: "lab-result", fileName: "blood.pdf", mimeType: "application/pdf" }, bytes: pdfs[0]! },
    { recordId: "2", cid: "bafkreib", metadata: { title: "Appendectomy", hospital: "General", reason: "Appendicitis", admissionDate: "2025-06-10", dischargeDate: "2025-06-14", category: "discharge-summary", fileName: "discharge.pdf", mimeType: "application/pdf" }, bytes: pdfs[1]! },
  ],
});
const options = { maxBytes: 1024 * 1024, existingSha256: new Set<string>() };
const json = (name: string, value: unknown): ImportFile => ({ name, bytes: strToU8(JSON.stringify(value)) });
const drafts = [
  { title: "Blood panel", hospital: "St Mary", reason: "Check-up", admissionDate: "2024-03-04", dischargeDate: "2024-03-04", category: "lab-result", fileName: "blood.pdf" },
  { title: "Appendectomy", hospital: "General", reason: "Appendicitis", admissionDate: "2025-06-10", dischargeDate: "2025-06-14", category: "discharge-summary", fileName: "discharge.pdf" },
];

describe("FHIR import", () => {
  it("reads an inline Bundle back into the record form's fields and the same PDF bytes", () => {
    const { items, ignored } = readImport([json("bundle.json", buildExportBundle(input("inline")).bundle)], options);
    assert.deepEqual(items.map((item) => item.draft), drafts);
    items.forEach((item, index) => assert.ok(Buffer.from(item.bytes!).equals(pdfs[index]!)));
    assert.deepEqual(items.map((item) => item.skip), [undefined, undefined]);
    assert.deepEqual(ignored, { Patient: 1 });
  });

  it("reads a zip of bundle.json and PDFs", () => {
    const zip = zipExport(buildExportBundle(input("zip")));
    const { items } = readImport([{ name: "export.zip", bytes: zip }], options);
    assert.deepEqual(items.map((item) => item.draft), drafts);
    items.forEach((item, index) => assert.equal(item.sha256, sha256Hex(pdfs[index]!)));
  });

  it("reads single DocumentReferences", () => {
    const docs = (buildExportBundle(input("inline")).bundle.entry ?? []).filter((entry) => entry.resource?.resourceType === "DocumentReference");
    const { items } = readImport(docs.map((entry, index) => json(`doc-${index}.json`, entry.resource)), options);
    assert.deepEqual(items.map((item) => item.draft.title), ["Blood panel", "Appendectomy"]);
  });

  it("skips duplicates (existing records and within the import), non-PDFs, files too large, missing or damaged files, and says why", () => {
    const bundle = buildExportBundle(input("inline")).bundle;
    const docs = bundle.entry!.filter((entry) => entry.resource?.resourceType === "DocumentReference");
    const copy = JSON.parse(JSON.stringify(docs[1])) as (typeof docs)[number];
    const notPdf = JSON.parse(JSON.stringify(docs[1])) as { resource: { content: { attachment: Record<string, unknown> }[] } };
    notPdf.resource.content[0]!.attachment = { contentType: "image/gif", data: NOT_A_PDF.toString("base64") };
    const damaged = JSON.parse(JSON.stringify(docs[1])) as { resource: { content: { attachment: Record<string, unknown> }[] } };
    damaged.resource.content[0]!.attachment.hash = Buffer.alloc(20).toString("base64");
    const missing = { resource: { resourceType: "DocumentReference", status: "current", content: [{ attachment: { url: "files/nowhere.pdf" } }] } };
    const all = { ...bundle, entry: [...bundle.entry!, copy, notPdf, damaged, missing] };
    const { items } = readImport([json("b.json", all)], { maxBytes: pdfs[1]!.length, existingSha256: new Set([sha256Hex(pdfs[0]!)]) });
    assert.deepEqual(
      items.map((item) => item.skip?.reason),
      ["duplicate", undefined, "duplicate", "not-pdf", "damaged", "missing-file"],
    );
    const tooLarge = readImport([json("b.json", bundle)], { maxBytes: 10, existingSha256: new Set() });
    assert.deepEqual(tooLarge.items.map((item) => item.skip?.reason), ["too-large", "too-large"]);
  });

  const malformed: [string, unknown, RegExp][] = [
    ["not an object", [1, 2], /expected a FHIR resource/],
    ["no resourceType", { type: "collection" }, /resourceType is missing/],
    ["another resource", { resourceType: "Observation" }, /resourceType is Observation; expected Bundle or DocumentReference/],
    ["no Bundle.type", { resourceType: "Bundle" }, /Bundle\.type is missing/],
    ["entry not an array", { resourceType: "Bundle", type: "collection", entry: {} }, /Bundle\.entry must be an array/],
    ["entry without resource", { resourceType: "Bundle", type: "collection", entry: [{ resource: { resourceType: "Patient" } }, { fullUrl: "x" }] }, /Bundle\.entry\[1\]\.resource is missing/],
    ["document without content", { resourceType: "Bundle", type: "collection", entry: [{ resource: { resourceType: "DocumentReference", status: "current" } }] }, /Bundle\.entry\[0\]\.resource\.content must hold at least one attachment/],
    ["attachment without data or url", { resourceType: "DocumentReference", content: [{ attachment: { contentType: "application/pdf" } }] }, /content\[0\]\.attachment has neither data nor url/],
    ["data not base64", { resourceType: "DocumentReference", content: [{ attachment: { data: "%%%" } }] }, /attachment\.data is not base64/],
    ["size not a number", { resourceType: "DocumentReference", content: [{ attachment: { data: "", size: "12" } }] }, /attachment\.size must be a non-negative integer/],
  ];
  for (const [name, value, message] of malformed) {
    it(`names the first problem of a malformed file: ${name}`, () => {
      assert.throws(() => readImport([json("bad.json", value)], options), (error: unknown) => error instanceof FhirImportError && message.test(error.message));
    });
  }

  it("names a file that is not JSON, and a zip without any JSON", () => {
    assert.throws(() => readImport([{ name: "x.json", bytes: strToU8("{ nope") }], options), /x\.json is not JSON/);
    assert.throws(() => readImport([{ name: "x.zip", bytes: zipSync({ "a.pdf": pdfs[0]! }) }], options), /x\.zip holds no bundle\.json/);
  });
});
