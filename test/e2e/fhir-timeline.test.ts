/**
 * FHIR export/import and the visit timeline, as one patient's story (account 13), then another patient's:
 * three records across two years -> the timeline shows them in order with their spans, zooms by year, and a
 * click opens the record -> the FHIR export (inline and zip) validates against the R4 JSON schema and its
 * attachments match the PDFs -> importing that export back into the same patient skips every record as a
 * duplicate (same SHA-256) -> an edited export whose PDFs differ is imported through the upload pipeline,
 * and a new export shows the same metadata and the new PDF bytes -> another patient (account 30) imports the
 * first export and their own export has the same metadata and PDF bytes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { after, describe } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import type { Bundle, DocumentReference, Patient } from "@medplum/fhirtypes";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { downloadBytes, downloadInto, fillUploadForm, storySession, storySteps, type UploadFields } from "../support/story";
import { fhirSchemaErrors } from "../unit/fhir-schema";

const stack = stackUnderTest();
const account = stack.accounts[13]!.toLowerCase();
const otherPatient = stack.accounts[30]!.toLowerCase();
const PASSPHRASE = "fhir timeline battery staple 13";

const record = (fields: Omit<UploadFields, "file" | "name"> & { text: string }): UploadFields => ({
  ...fields,
  file: makePdf(fields.text),
  name: `${fields.title.toLowerCase().replace(/\W+/g, "-")}.pdf`,
});
// Uploaded out of order on purpose: the timeline sorts by admission.
const surgery = record({ title: "Knee surgery", category: "Discharge summary", hospital: "General Hospital", reason: "Torn meniscus", admission: "2024-11-28", discharge: "2024-12-03", text: "Knee arthroscopy, discharged day 6" });
const bloods = record({ title: "Blood panel", category: "Lab result", hospital: "St Mary Hospital", reason: "Annual check-up", admission: "2024-03-04", discharge: "2024-03-04", text: "Blood panel: haemoglobin 14.1 g/dL" });
const mri = record({ title: "Knee MRI", category: "Imaging", hospital: "General Hospital", reason: "Follow-up", admission: "2025-06-10", discharge: "2025-06-14", text: "MRI: meniscus healed" });
const inOrder = [bloods, surgery, mri];
const CATEGORY_CODES: Record<string, string> = { "Lab result": "lab-result", "Discharge summary": "discharge-summary", Imaging: "imaging" };

let context: BrowserContext | undefined;
let page: Page;

const session = storySession("fhir-timeline");

after(async () => {
  await context?.close().catch(() => undefined);
});

const step = storySteps(async () => {
  if (process.env.E2E_SCREENSHOTS && page) await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS, "fhir-timeline-failure.png"), fullPage: true });
});

const documents = (bundle: Bundle) => (bundle.entry ?? []).map((entry) => entry.resource).filter((resource): resource is DocumentReference => resource?.resourceType === "DocumentReference");
const sha1Base64 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("base64");
const byTitle = (docs: DocumentReference[], title: string) => docs.find((doc) => doc.content[0]!.attachment.title === title)!;

async function exportBundle(mode: "inline" | "zip"): Promise<{ bundle: Bundle; files: Record<string, Uint8Array>; bytes: Buffer; suggested: string }> {
  await page.getByRole("tab", { name: "Export / import" }).click();
  const panel = page.getByTestId("fhir-export");
  await panel.getByRole("radio", { name: mode === "inline" ? /Inside the JSON file/ : /separate files in a zip/ }).check();
  const { bytes, suggested } = await downloadBytes(page, () => panel.getByRole("button", { name: "Export FHIR bundle" }).click(), path.join(session.folder, `${Date.now()}-export.${mode}`));
  await panel.getByTestId("fhir-export-done").waitFor();
  if (mode === "inline") return { bundle: JSON.parse(bytes.toString("utf8")) as Bundle, files: {}, bytes, suggested };
  const files = unzipSync(bytes);
  return { bundle: JSON.parse(strFromU8(files["bundle.json"]!)) as Bundle, files, bytes, suggested };
}

async function chooseImport(name: string, bytes: Uint8Array) {
  await page.getByRole("tab", { name: "Export / import" }).click();
  const file = path.join(session.folder, name);
  await writeFile(file, bytes);
  await page.getByTestId("fhir-import").getByLabel("FHIR file to import").setInputFiles(file);
}

/** The patient's first visit: passphrase, backup download, registration. */
async function signUp(fullName: string) {
  const form = page.getByTestId("sign-up");
  await form.getByLabel(/^Passphrase/).fill(PASSPHRASE);
  await form.getByLabel("Confirm passphrase").fill(PASSPHRASE);
  await form.getByLabel("Full name").fill(fullName);
  await form.getByRole("button", { name: "Create my key" }).click();
  const backup = page.getByTestId("backup-step");
  await downloadInto(page, () => backup.getByRole("button", { name: "Download backup file" }).click(), session.folder, "backup.json");
  await backup.getByRole("button", { name: "Continue to registration" }).click();
  await page.getByTestId("key-unlocked").waitFor();
}

describe("FHIR export and import, and the visit timeline", () => {
  let firstExport: Bundle;

  step("signs up as patient 13 and uploads three records across two years", async () => {
    ({ context, page } = await session.open(account, "/patient", "patient"));
    await signUp("Flo Timeline");
    for (const entry of [surgery, bloods, mri]) {
      await page.getByRole("button", { name: "Upload a PDF" }).first().click();
      await fillUploadForm(page, entry);
      await page.getByRole("status").filter({ hasText: `“${entry.title}” was encrypted, stored and recorded on chain.` }).waitFor();
    }
    await page.getByTestId("record-item").nth(2).waitFor();
  });

  step("the timeline shows the three stays in order with their spans, lanes per hospital, counts per year", async () => {
    await page.getByRole("tab", { name: "Timeline" }).click();
    const entries = page.getByTestId("timeline-entry");
    await entries.nth(2).waitFor();
    const spans = await entries.evaluateAll((elements) => elements.map((element) => [element.getAttribute("data-start"), element.getAttribute("data-end"), element.getAttribute("data-days")]));
    // Lanes come in the order of their first stay (St Mary, then General), entries chronological within a lane.
    assert.deepEqual(spans, [
      ["2024-03-04", "2024-03-04", "1"],
      ["2024-11-28", "2024-12-03", "6"],
      ["2025-06-10", "2025-06-14", "5"],
    ]);
    assert.deepEqual(await page.getByTestId("timeline-lane").evaluateAll((lanes) => lanes.map((lane) => lane.getAttribute("data-hospital"))), ["St Mary Hospital", "General Hospital"]);
    const list = await page.getByTestId("timeline-list-item").allInnerTexts();
    assert.deepEqual(
      list.map((text) => text.split(" — ")[0]),
      inOrder.map((entry) => entry.title),
    );
    // Later stays further right; bar widths in proportion to the stays (in percent of the two years shown,
    // 731 days; on screen a bar is at least 0.75rem wide so that a one-day visit stays clickable).
    const boxes = await Promise.all([0, 1, 2].map(async (index) => (await entries.nth(index).boundingBox())!));
    assert.ok(boxes[0]!.x < boxes[1]!.x && boxes[1]!.x < boxes[2]!.x, "later stays are further right");
    const placed = await entries.evaluateAll((elements) => elements.map((element) => [Number(element.getAttribute("data-left")), Number(element.getAttribute("data-width"))]));
    const percent = (days: number) => Number(((days / 731) * 100).toFixed(4));
    assert.deepEqual(
      placed.map(([, width]) => width),
      [percent(1), percent(6), percent(5)],
    );
    assert.deepEqual(
      placed.map(([left]) => left),
      [percent(63), percent(332), percent(526)],
    );
    const rows = await page.getByTestId("timeline-counts-row").evaluateAll((elements) => elements.map((row) => [row.getAttribute("data-year"), row.lastElementChild?.textContent]));
    assert.deepEqual(rows, [
      ["2024", "2"],
      ["2025", "1"],
    ]);
    await page.getByTestId("timeline-chart").locator(".recharts-bar-rectangle").first().waitFor();

    await page.getByRole("button", { name: "2025", exact: true }).click();
    assert.equal(await entries.count(), 1);
    assert.equal(await entries.first().getAttribute("data-start"), "2025-06-10");
    await page.getByRole("button", { name: "All years" }).click();
    assert.equal(await entries.count(), 3);
  });

  step("an entry opens its record, by click and by keyboard", async () => {
    await page.getByTestId("timeline-entry").nth(1).click();
    const viewer = page.getByTestId("record-viewer");
    await viewer.getByRole("heading", { name: surgery.title }).waitFor();
    await page.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
    await page.getByRole("button", { name: "Back to my records" }).click();
    // Back on the timeline tab; Enter on a focused entry opens it too.
    await page.getByTestId("timeline-entry").nth(2).focus();
    await page.keyboard.press("Enter");
    await viewer.getByRole("heading", { name: mri.title }).waitFor();
    await page.getByRole("button", { name: "Back to my records" }).click();
  });

  step("exports an inline FHIR Bundle that validates against the R4 schema, with the PDFs and their hashes", async () => {
    const { bundle, suggested } = await exportBundle("inline");
    assert.match(suggested, new RegExp(`^ehr-${account}-\\d{4}-\\d{2}-\\d{2}\\.fhir\\.json$`));
    assert.deepEqual(fhirSchemaErrors(bundle).slice(0, 5), []);
    const patient = bundle.entry?.[0]?.resource as Patient;
    assert.equal(patient.resourceType, "Patient");
    assert.equal(patient.name?.[0]?.text, "Flo Timeline");
    const docs = documents(bundle);
    assert.equal(docs.length, 3);
    for (const entry of inOrder) {
      const doc = byTitle(docs, entry.title);
      const attachment = doc.content[0]!.attachment;
      assert.ok(Buffer.from(attachment.data!, "base64").equals(entry.file), `${entry.title}: the PDF bytes`);
      assert.equal(attachment.hash, sha1Base64(entry.file));
      assert.equal(attachment.size, entry.file.length);
      assert.deepEqual(doc.context?.period, { start: entry.admission, end: entry.discharge });
      assert.equal(doc.custodian?.display, entry.hospital);
      assert.equal(doc.description, entry.reason);
      assert.equal(doc.category?.[0]?.coding?.[0]?.code, CATEGORY_CODES[entry.category]);
      assert.deepEqual(doc.identifier?.map((identifier) => identifier.system), ["urn:x-ehr:record-id", "urn:x-ehr:ipfs-cid", "urn:x-ehr:chain"]);
    }
    firstExport = bundle;
  });

  step("exports a zip whose bundle.json validates and whose files match the attachments' hashes", async () => {
    const { bundle, files } = await exportBundle("zip");
    assert.deepEqual(fhirSchemaErrors(bundle).slice(0, 5), []);
    for (const doc of documents(bundle)) {
      const attachment = doc.content[0]!.attachment;
      const file = files[attachment.url!];
      assert.ok(file, `${attachment.url} is in the zip`);
      assert.equal(attachment.hash, sha1Base64(file));
      assert.ok(Buffer.from(file).equals(inOrder.find((entry) => entry.title === attachment.title)!.file));
    }
  });

  step("a malformed Bundle is refused with its first problem named", async () => {
    const broken = { ...firstExport, entry: [...(firstExport.entry ?? []), { fullUrl: "urn:uuid:0" }] };
    await chooseImport("broken.json", strToU8(JSON.stringify(broken)));
    const error = page.getByTestId("fhir-import-error");
    await error.waitFor();
    assert.match(await error.innerText(), new RegExp(`Bundle\\.entry\\[${firstExport.entry!.length}\\]\\.resource is missing`));
  });

  step("importing the export back skips every record as a duplicate (same SHA-256)", async () => {
    await chooseImport("same.fhir.json", strToU8(JSON.stringify(firstExport)));
    const summary = page.getByTestId("fhir-import-summary");
    await summary.waitFor();
    assert.match(await summary.innerText(), /Imported 0, failed 0, skipped 3/);
    assert.deepEqual(await summary.getByTestId("fhir-import-skipped").evaluateAll((items) => items.map((item) => item.getAttribute("data-reason"))), ["duplicate", "duplicate", "duplicate"]);
    await summary.getByRole("button", { name: "Import another file" }).click();
  });

  step("an edited export whose PDFs differ is shown, corrected in the form, imported; metadata and bytes round-trip", async () => {
    // The same records with new PDFs (as another system would send them), zipped with the files beside bundle.json.
    const edited = structuredClone(firstExport);
    const newPdfs = new Map<string, Buffer>();
    const tree: Record<string, Uint8Array> = {};
    documents(edited).forEach((doc, index) => {
      const attachment = doc.content[0]!.attachment;
      const pdf = makePdf(`${attachment.title} (copy from another hospital system)`);
      newPdfs.set(attachment.title!, pdf);
      delete attachment.data;
      attachment.url = `files/${index}.pdf`;
      attachment.size = pdf.length;
      attachment.hash = sha1Base64(pdf);
      tree[attachment.url] = pdf;
    });
    tree["bundle.json"] = strToU8(JSON.stringify(edited));
    await chooseImport("edited.fhir.zip", zipSync(tree));

    const items = page.getByTestId("fhir-import-item");
    await items.nth(2).waitFor();
    assert.deepEqual(await items.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-status"))), ["waiting", "waiting", "waiting"]);
    // The record form's fields are filled from the DocumentReferences and can be corrected.
    const first = items.filter({ hasText: bloods.title });
    assert.equal(await first.getByLabel("Title").inputValue(), bloods.title);
    assert.equal(await first.getByLabel("Hospital name").inputValue(), bloods.hospital);
    assert.equal(await first.getByLabel("Admission date").inputValue(), bloods.admission);
    assert.equal(await first.getByLabel("Reason for the visit").inputValue(), bloods.reason);
    await first.getByLabel("Title").fill(`${bloods.title} (imported)`);
    await page.getByRole("button", { name: "Import 3 records" }).click();

    const summary = page.getByTestId("fhir-import-summary");
    await summary.waitFor({ timeout: 120_000 });
    assert.match(await summary.innerText(), /Imported 3, failed 0, skipped 0/);

    await page.getByRole("tab", { name: "My records" }).click();
    await page.getByTestId("record-item").nth(5).waitFor();

    const { bundle } = await exportBundle("inline");
    assert.deepEqual(fhirSchemaErrors(bundle).slice(0, 5), []);
    const docs = documents(bundle);
    assert.equal(docs.length, 6);
    for (const entry of inOrder) {
      const original = byTitle(documents(firstExport), entry.title);
      const title = entry === bloods ? `${entry.title} (imported)` : entry.title;
      const copies = docs.filter((doc) => doc.content[0]!.attachment.title === title && doc.content[0]!.attachment.data !== original.content[0]!.attachment.data);
      assert.equal(copies.length, 1, `${title} was imported once`);
      const copy = copies[0]!;
      assert.deepEqual(copy.context, original.context);
      assert.deepEqual(copy.custodian, original.custodian);
      assert.equal(copy.description, original.description);
      assert.deepEqual(copy.category, original.category);
      assert.deepEqual(copy.content[0]!.attachment.extension, original.content[0]!.attachment.extension, "same file name");
      const pdf = newPdfs.get(entry.title)!;
      assert.ok(Buffer.from(copy.content[0]!.attachment.data!, "base64").equals(pdf), `${title}: the imported PDF's bytes`);
      assert.equal(copy.content[0]!.attachment.hash, sha1Base64(pdf));
    }
    await page.getByRole("tab", { name: "Timeline" }).click();
    await page.getByTestId("timeline-entry").nth(5).waitFor();
  });

  step("another patient imports the first export: their own export has the same metadata and PDF bytes", async () => {
    await context?.close();
    ({ context, page } = await session.open(otherPatient, "/patient", "patient"));
    await signUp("Gus Importer");
    await chooseImport("from-flo.fhir.json", strToU8(JSON.stringify(firstExport)));
    await page.getByTestId("fhir-import-item").nth(2).waitFor();
    await page.getByRole("button", { name: "Import 3 records" }).click();
    const summary = page.getByTestId("fhir-import-summary");
    await summary.waitFor({ timeout: 120_000 });
    assert.match(await summary.innerText(), /Imported 3, failed 0, skipped 0/);

    const { bundle } = await exportBundle("inline");
    assert.deepEqual(fhirSchemaErrors(bundle).slice(0, 5), []);
    const docs = documents(bundle);
    assert.equal(docs.length, 3);
    for (const entry of inOrder) {
      const original = byTitle(documents(firstExport), entry.title);
      const copy = byTitle(docs, entry.title);
      assert.deepEqual(copy.context, original.context);
      assert.deepEqual(copy.custodian, original.custodian);
      assert.equal(copy.description, original.description);
      assert.deepEqual(copy.category, original.category);
      assert.deepEqual(copy.content[0]!.attachment.extension, original.content[0]!.attachment.extension, "same file name");
      assert.ok(Buffer.from(copy.content[0]!.attachment.data!, "base64").equals(entry.file), `${entry.title}: the same PDF bytes`);
      assert.equal(copy.content[0]!.attachment.hash, original.content[0]!.attachment.hash);
    }
  });
});
