/**
 * Access requests as one browser story, the doctor and the patient each in their own context and wallet: the
 * doctor asks for the patient's lab results with a reason (sealed in the doctor's browser) and a second ask is
 * refused while the first is open -> the patient sees the request with the doctor's registry entry, the reason
 * and a pending count, approves it through the grant form prefilled with that doctor, the lab-result records
 * and the expiry -> the doctor sees "Approved" and opens the record (bytes equal the original) -> the doctor
 * asks for all records, the patient declines with one click, the doctor sees "Declined".
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { Page } from "playwright-core";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { createKeyOnFirstVisit, downloadInto, storySession, storySteps, type UploadFields, uploadFromMyRecords } from "../support/story";
import { registerDoctor } from "../support/api/chain";
import { withDatabase } from "../support/api/fixtures";

// Accounts 45 (patient) and 46 (doctor) belong to this file; 47 to test/integration/access-requests.test.ts; 0 is the admin.
const stack = stackUnderTest();
const admin = stack.accounts[0]!.toLowerCase();
const patient = stack.accounts[45]!.toLowerCase();
const doctor = stack.accounts[46]!.toLowerCase();
const DOCTOR = { name: "Dr Rosalind Asker", specialty: "Endocrinology" };
const PASSPHRASE = "requests battery staple 46";
const REASON = "Suspected hypothyroidism: I would like to review your recent thyroid labs before Tuesday's appointment.";

const record = (title: string, category: string): UploadFields => ({
  file: makePdf(`${title}: results`),
  name: `${title.toLowerCase().replace(/\W+/g, "-")}.pdf`,
  title,
  category,
  hospital: "Northside Clinic",
  reason: "Routine check",
  admission: "2025-06-02",
  discharge: "2025-06-02",
});
const thyroid = record("Thyroid panel", "Lab result");
const kneeMri = record("Knee MRI", "Imaging");

const session = storySession("access-requests");

/** The doctor fills the ask form and sends it. */
async function ask(page: Page, scope: { categories: string[] } | "all", reason: string, expiry: string) {
  const form = page.getByTestId("ask-access");
  await form.getByLabel("Patient wallet address").fill(patient);
  if (scope === "all") {
    await form.getByRole("radio", { name: "All records, including future ones" }).check();
  } else {
    await form.getByRole("radio", { name: "Chosen categories" }).check();
    for (const category of scope.categories) await form.getByRole("checkbox", { name: category, exact: true }).check();
  }
  await form.getByLabel("Reason", { exact: true }).fill(reason);
  await form.getByRole("radio", { name: expiry }).check();
  await form.getByRole("button", { name: "Send the request" }).click();
}

/** The doctor's newest request to the patient, once it shows `status`. */
async function sentRequest(page: Page, status: string) {
  await page.getByRole("button", { name: "Reload requests" }).click();
  const item = page.locator(`[data-testid="sent-request"][data-patient="${patient}"]`).first();
  await page.locator(`[data-testid="sent-request"][data-patient="${patient}"][data-status="${status}"]`).first().waitFor();
  return item;
}

/** With E2E_SCREENSHOTS=<folder>, a full-page screenshot of the key screens. */
async function screenshot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/access-requests-${name}.png`, fullPage: true });
}

const step = storySteps();

describe("access requests between a doctor and a patient", () => {
  let doctorPage: Page;
  let patientPage: Page;
  const ids: Record<string, string> = {};

  step("the admin registers the doctor, who creates a key; the patient signs up and uploads two records", async () => {
    await registerDoctor(admin, doctor, undefined, DOCTOR);
    doctorPage = await session.openPage(doctor, "/doctor", "doctor");
    await createKeyOnFirstVisit(doctorPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "doctor-backup.json" });
    await doctorPage.getByTestId("patients-empty").waitFor();
    await doctorPage.getByTestId("sent-requests-empty").waitFor();

    patientPage = await session.openPage(patient, "/patient", "patient");
    await createKeyOnFirstVisit(patientPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "patient-backup.json" });
    for (const entry of [thyroid, kneeMri]) await uploadFromMyRecords(patientPage, entry);
    await patientPage.getByTestId("record-item").nth(1).waitFor();
    for (const item of await patientPage.getByTestId("record-item").all()) {
      ids[await item.getByTestId("record-title").innerText()] = (await item.getAttribute("data-record-id"))!;
    }
    assert.deepEqual(Object.keys(ids).sort(), [kneeMri.title, thyroid.title]);
  });

  step("the doctor asks for the lab results with a reason; a second ask is refused while the first is open", async () => {
    await ask(doctorPage, { categories: ["Lab result"] }, REASON, "30 days");
    await doctorPage.getByTestId("ask-sent").waitFor();
    const item = await sentRequest(doctorPage, "pending");
    assert.match(await item.innerText(), /Lab result[\s\S]*Suspected hypothyroidism[\s\S]*Pending/);

    await ask(doctorPage, "all", "Everything, please", "No expiry");
    const refused = doctorPage.getByTestId("ask-error");
    await refused.waitFor();
    assert.match(await refused.innerText(), /You already asked this patient[\s\S]*already have an open request to this patient/);
    await screenshot(doctorPage, "doctor-asked");

    const stored = await withDatabase(async (db) => (await db.query<{ row: string }>("SELECT row_to_json(r)::text AS row FROM access_requests r WHERE patient = $1", [patient])).rows);
    assert.equal(stored.length, 1, "one request stored");
    assert.ok(!stored[0]!.row.includes("hypothyroidism"), "the server holds the reason only sealed");
  });

  step("the patient sees the request with the doctor's name, specialty, the reason, the records and a pending count", async () => {
    await patientPage.getByRole("tab", { name: "Requests" }).click();
    const item = patientPage.locator(`[data-testid="access-request"][data-doctor="${doctor}"]`);
    await item.waitFor();
    assert.equal(await item.getByTestId("request-doctor").innerText(), `${DOCTOR.name}, ${DOCTOR.specialty}`);
    assert.equal(await item.getByTestId("request-reason").innerText(), REASON);
    assert.equal(await item.getByTestId("request-scope").innerText(), "Lab result");
    assert.match(await item.getByTestId("request-expiry").innerText(), /^until /);
    await patientPage.getByTestId("pending-requests-count").filter({ hasText: "1" }).waitFor();
    await screenshot(patientPage, "patient-pending");
  });

  step("the patient approves through the grant form prefilled with that doctor, the lab results and the expiry", async () => {
    await patientPage.getByRole("button", { name: `Approve the request of ${DOCTOR.name}` }).click();
    const form = patientPage.getByTestId("grant-form");
    const doctorOption = form.getByRole("radio", { name: `${DOCTOR.name}, ${DOCTOR.specialty}` });
    await doctorOption.waitFor();
    await patientPage.waitForFunction((address) => document.querySelector<HTMLInputElement>(`input[type="radio"][value="${address}"]`)?.checked === true, doctor);
    assert.equal(await form.getByRole("radio", { name: "Chosen records" }).isChecked(), true);
    assert.equal(await form.getByRole("checkbox", { name: thyroid.title, exact: true }).isChecked(), true, "the lab result is chosen");
    assert.equal(await form.getByRole("checkbox", { name: kneeMri.title, exact: true }).isChecked(), false, "the imaging record is not");
    assert.equal(await form.getByRole("radio", { name: "Until a date" }).isChecked(), true, "the proposed expiry's day");
    await screenshot(patientPage, "patient-approve-prefilled");

    await form.getByRole("button", { name: "Review the grant" }).click();
    const review = patientPage.getByTestId("grant-review");
    assert.match(await review.getByTestId("review-doctor").innerText(), new RegExp(DOCTOR.name));
    assert.equal((await review.getByTestId("review-records").innerText()).trim(), thyroid.title);
    await review.getByRole("button", { name: "Sign the grant" }).click();
    await patientPage.getByTestId("grant-done").waitFor();
    await patientPage.getByTestId("request-action-done").filter({ hasText: "You approved the request" }).waitFor();

    await patientPage.getByRole("button", { name: "Back to the requests" }).click();
    await patientPage.getByTestId("requests-empty").waitFor();
    await patientPage.getByTestId("pending-requests-count").waitFor({ state: "detached" });
  });

  step("the doctor sees the request approved and opens the granted record: its bytes equal the original", async () => {
    await sentRequest(doctorPage, "approved");
    await doctorPage.getByRole("button", { name: "Refresh", exact: true }).click();
    await doctorPage.locator(`[data-testid="patient-item"][data-patient="${patient}"]`).waitFor();
    await doctorPage.getByTestId("record-item").first().waitFor();
    assert.deepEqual(await doctorPage.getByTestId("record-title").allInnerTexts(), [thyroid.title], "only the lab result is shared");
    await doctorPage.getByRole("button", { name: `Open ${thyroid.title}` }).click();
    await doctorPage.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
    const bytes = await downloadInto(doctorPage, () => doctorPage.getByRole("button", { name: "Download" }).click(), session.folder, "opened.pdf");
    assert.ok(bytes.equals(thyroid.file), "the doctor's copy equals the patient's file byte for byte");
    await doctorPage.getByRole("button", { name: "Back to my patients" }).click();
  });

  step("a second request, for all records, is declined with one click and the doctor sees it declined", async () => {
    await ask(doctorPage, "all", "Second opinion on the whole history", "No expiry");
    await doctorPage.getByTestId("ask-sent").waitFor();
    await sentRequest(doctorPage, "pending");

    await patientPage.getByRole("tab", { name: "Who can see what" }).click();
    await patientPage.getByRole("tab", { name: "Requests" }).click();
    const item = patientPage.locator(`[data-testid="access-request"][data-doctor="${doctor}"]`);
    await item.waitFor();
    assert.equal(await item.getByTestId("request-scope").innerText(), "All records, including future ones");
    assert.equal(await item.getByTestId("request-expiry").innerText(), "no expiry");
    await item.getByRole("button", { name: `Decline the request of ${DOCTOR.name}` }).click();
    await patientPage.getByTestId("request-action-done").filter({ hasText: "You declined the request" }).waitFor();
    await patientPage.getByTestId("requests-empty").waitFor();

    const newest = await sentRequest(doctorPage, "declined");
    assert.equal(await newest.getAttribute("data-status"), "declined", "the newest request is the declined one");
    assert.equal(await doctorPage.locator(`[data-testid="sent-request"][data-patient="${patient}"][data-status="approved"]`).count(), 1, "the first stays approved");
    await screenshot(doctorPage, "doctor-outcomes");
  });
});
