/**
 * Sharing across the three portals as one story, each role in its own browser context with its own wallet:
 * the admin registers a doctor -> the doctor creates and publishes a key -> the patient uploads three records
 * and grants two with an expiry -> the doctor sees exactly those two, opens one (logged on chain first) and
 * its bytes equal the original -> the patient sees the opening in the access log -> the patient revokes ->
 * the doctor is refused -> the admin deactivates a second doctor holding an all-records grant, who is refused
 * at once.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { Page } from "playwright-core";
import { submitDoctorRegistration } from "../support/admin-forms";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { createKeyOnFirstVisit, downloadInto, grantFromShareTab, storySession, storySteps, type UploadFields, uploadFromMyRecords } from "../support/story";
import { signedInClient } from "../support/api/api-client";
import { logAccess, registerDoctor } from "../support/api/chain";
import { testKeys } from "../support/api/fixtures";

const stack = stackUnderTest();
const admin = stack.accounts[0]!.toLowerCase();
const patient = stack.accounts[19]!.toLowerCase();
const doctor = stack.accounts[28]!.toLowerCase();
const secondDoctor = stack.accounts[29]!.toLowerCase();
const PASSPHRASE = "three roles battery staple 42";

const record = (title: string, category: string, text: string): UploadFields => ({
  file: makePdf(text),
  name: `${title.toLowerCase().replace(/\W+/g, "-")}.pdf`,
  title,
  category,
  hospital: "General Hospital",
  reason: "Check-up",
  admission: "2025-02-03",
  discharge: "2025-02-04",
});
const bloodPanel = record("Blood panel", "Lab result", "Blood panel: haemoglobin 14.1 g/dL");
const chestXray = record("Chest X-ray", "Imaging", "Chest X-ray: no consolidation");
const privateNote = record("Private note", "Other", "Not for sharing");

const session = storySession("three-roles");

const step = storySteps();

describe("sharing across the admin, doctor and patient portals", () => {
  let adminPage: Page;
  let doctorPage: Page;
  let patientPage: Page;
  const ids: Record<string, string> = {};

  step("the admin registers the doctor on the dashboard", async () => {
    adminPage = await session.openPage(admin, "/admin", "admin");
    await submitDoctorRegistration(adminPage, { address: doctor, name: "Dr Meredith Grey", specialty: "General surgery", licence: "GS-2025-0042" });
    await adminPage.getByTestId("register-doctor-result").waitFor();
    // Ten doctors a page, and the files before this one register many: find her by name.
    await adminPage.getByLabel("Search doctors").fill("Dr Meredith Grey");
    await adminPage.locator(`[data-testid="doctor-row"][data-address="${doctor}"][data-active="true"]`).waitFor();
  });

  step("the doctor creates a key on their first visit and publishes it on chain", async () => {
    doctorPage = await session.openPage(doctor, "/doctor", "doctor");
    await createKeyOnFirstVisit(doctorPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "doctor-backup.json" });
    await doctorPage.getByTestId("patients-empty").waitFor();
    const published = (await (await fetch(new URL(`/api/keys/${doctor}`, stack.appUrl))).json()) as { publicKey?: string };
    assert.match(published.publicKey ?? "", /^0x[0-9a-f]{64}$/, "the doctor's key is in the key store (checked there against the chain)");
  });

  step("the patient uploads three records and grants two of them to the doctor for 7 days", async () => {
    patientPage = await session.openPage(patient, "/patient", "patient");
    await createKeyOnFirstVisit(patientPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "patient-backup.json" });
    for (const entry of [bloodPanel, chestXray, privateNote]) await uploadFromMyRecords(patientPage, entry);
    await patientPage.getByTestId("record-item").nth(2).waitFor();
    for (const item of await patientPage.getByTestId("record-item").all()) {
      ids[await item.getByTestId("record-title").innerText()] = (await item.getAttribute("data-record-id"))!;
    }
    await grantFromShareTab(patientPage, "Dr Meredith Grey, General surgery", { records: [bloodPanel.title, chestXray.title] }, "7 days");
    assert.match(await patientPage.getByTestId("grant-done").innerText(), /can now read 2 records/);
  });

  step("the doctor sees exactly those two records and opens one: its bytes equal the original", async () => {
    await doctorPage.getByRole("button", { name: "Refresh" }).click();
    await doctorPage.locator(`[data-testid="patient-item"][data-patient="${patient}"]`).waitFor();
    await doctorPage.getByTestId("record-item").nth(1).waitFor();
    assert.deepEqual((await doctorPage.getByTestId("record-title").allInnerTexts()).sort(), [bloodPanel.title, chestXray.title]);
    assert.match(await doctorPage.getByTestId("record-expiry").first().innerText(), /Access until/);

    await doctorPage.getByRole("button", { name: `Open ${bloodPanel.title}` }).click();
    await doctorPage.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
    const bytes = await downloadInto(doctorPage, () => doctorPage.getByRole("button", { name: "Download" }).click(), session.folder, "opened.pdf");
    assert.ok(bytes.equals(bloodPanel.file), "the doctor's copy equals the patient's file byte for byte");
    await doctorPage.getByRole("button", { name: "Back to my patients" }).click();
  });

  step("the patient sees the opening in the access log, with the key store's release", async () => {
    await patientPage.getByRole("tab", { name: "Access log" }).click();
    const entry = patientPage.locator(`[data-testid="access-entry"][data-doctor="${doctor}"][data-record-id="${ids[bloodPanel.title]}"]`);
    await entry.waitFor();
    assert.match(await entry.innerText(), /Dr Meredith Grey[\s\S]*“Blood panel”/);
    await patientPage.locator(`[data-testid="history-entry"][data-kind="granted"][data-doctor="${doctor}"]`).first().waitFor();
    await patientPage.locator('[data-testid="audit-entry"][data-allowed="true"]').first().waitFor();
  });

  step("the patient revokes the doctor, whose next opening is refused", async () => {
    await patientPage.getByRole("tab", { name: "Who can see what" }).click();
    await patientPage.getByTestId("revocation-note").waitFor();
    const card = patientPage.locator(`[data-testid="share-doctor"][data-address="${doctor}"]`);
    await card.getByRole("button", { name: "Revoke all access" }).click();
    await patientPage.getByTestId("shares-empty").waitFor();

    await doctorPage.getByRole("button", { name: `Open ${chestXray.title}` }).click();
    await doctorPage.getByTestId("access-refused").waitFor();
    assert.match(await doctorPage.getByTestId("access-refused").innerText(), /revoked/);
    assert.equal(await doctorPage.getByRole("button", { name: "Download" }).count(), 0, "nothing to download");
    const doctorApi = await signedInClient(doctor);
    const key = await doctorApi.get(`/api/records/${ids[chestXray.title]}/key`);
    assert.equal(key.status, 403, "the server refuses the key too");
  });

  step("the admin deactivates a second doctor holding an all-records grant, who is refused at once", async () => {
    const keys = testKeys();
    await registerDoctor(admin, secondDoctor, keys.publicKeyHex, { name: "Dr Gregory House", specialty: "Diagnostics" });
    const houseApi = await signedInClient(secondDoctor);
    assert.equal((await houseApi.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } })).status, 200);
    await grantFromShareTab(patientPage, "Dr Gregory House, Diagnostics", "all", "No expiry");
    await logAccess(secondDoctor, ids[privateNote.title]!);
    const before = await houseApi.get(`/api/records/${ids[privateNote.title]}/key`);
    assert.equal(before.status, 200, "with the all-records grant and a logged access, the key is released");

    await adminPage.getByLabel("Search doctors").fill("House");
    const row = adminPage.locator(`[data-testid="doctor-row"][data-address="${secondDoctor}"]`);
    await row.getByRole("button", { name: "Deactivate Dr Gregory House" }).click();
    await row.getByRole("button", { name: "Confirm deactivation" }).click();
    await adminPage.locator(`[data-testid="doctor-row"][data-address="${secondDoctor}"][data-active="false"]`).waitFor();

    const after = await houseApi.get(`/api/records/${ids[privateNote.title]}/key`);
    assert.equal(after.status, 403);
    assert.deepEqual((after.body as { error: { details?: unknown } }).error.details, { reason: "inactive" });
  });
});
