/**
 * The admin dashboard and the doctor portal in the browser: the admin registers doctors (checksum refused,
 * licence verified), a stranger is refused, the doctor creates and publishes their key, sees the records a
 * patient shared, opens one (logged on chain first; bytes equal), is refused with the reason once the
 * patient revokes and once the admin deactivates them. The patient side is driven through the API and the
 * chain (the patient's own UI has its own test).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe } from "node:test";
import type { Page } from "playwright-core";
import { bytesToBase64, encryptBytes, encryptJson, publicKeyFromHex, randomDataKey, sha256Hex, wrapKey } from "@/lib/crypto";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { submitDoctorRegistration } from "../support/admin-forms";
import { downloadInto, storySession, storySteps } from "../support/story";
import { signedInClient, type ApiClient } from "../support/api/api-client";
import { addRecord, grantAccess, grantAllAccess, registerPatient, revokeAccess } from "../support/api/chain";
import { testKeys } from "../support/api/fixtures";
import { utils } from "web3";

const stack = stackUnderTest();
const admin = stack.accounts[0]!.toLowerCase();
const doctor = stack.accounts[15]!.toLowerCase();
const secondDoctor = stack.accounts[16]!.toLowerCase();
const stranger = stack.accounts[17]!.toLowerCase();
const patient = stack.accounts[18]!.toLowerCase();
const PASSPHRASE = "doctor horse battery staple 42";
const OCTETS = { "content-type": "application/octet-stream" };

const session = storySession("admin-doctor");

/** EIP-55 with one letter's case flipped: a checksum error. */
function badChecksum(address: string): string {
  const good = web3Checksum(address);
  const index = [...good].findIndex((char, at) => at > 1 && /[a-fA-F]/.test(char));
  const flipped = good[index] === good[index]!.toUpperCase() ? good[index]!.toLowerCase() : good[index]!.toUpperCase();
  return good.slice(0, index) + flipped + good.slice(index + 1);
}
const web3Checksum = (address: string) => utils.toChecksumAddress(address);

const downloadedBytes = (page: Page, click: () => Promise<void>, name: string) => downloadInto(page, click, session.folder, name);

/** A record uploaded by the patient through the API as the browser would (real metadata; key wrapped for the patient). */
async function uploadAsPatient(client: ApiClient, keys: ReturnType<typeof testKeys>, title: string, text: string) {
  const file = makePdf(text);
  const dataKey = randomDataKey();
  const ciphertext = await encryptBytes(dataKey, file);
  const metadata = {
    version: 1,
    title,
    hospital: "General Hospital",
    reason: "Check-up",
    admissionDate: "2024-05-01",
    dischargeDate: "2024-05-02",
    category: "lab-result",
    fileName: `${title.toLowerCase().replace(/\W+/g, "-")}.pdf`,
    size: file.length,
    sha256: sha256Hex(file),
    mimeType: "application/pdf",
  };
  const created = await client.post("/api/uploads", {
    json: {
      patient,
      size: ciphertext.length,
      encryptedMetadata: bytesToBase64(encryptJson(dataKey, metadata)),
      wrappedKeys: [{ recipient: patient, wrappedKey: bytesToBase64(wrapKey(dataKey, keys.publicKey)) }],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { uploadId } = created.body as { uploadId: string };
  const content = await client.put(`/api/uploads/${uploadId}/content`, { body: ciphertext, headers: OCTETS });
  assert.equal(content.status, 200, JSON.stringify(content.body));
  const { cidDigest, codec } = content.body as { cidDigest: string; codec: number };
  const recordId = await addRecord(patient, patient, cidDigest, codec);
  const confirmed = await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  return { recordId, dataKey, file, title, fileName: metadata.fileName };
}

/** Saves a full-page screenshot when E2E_SCREENSHOTS names a folder (to look at the screens). */
async function shot(page: Page, name: string) {
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Pages to capture when a step fails (E2E_SCREENSHOTS=folder). */
const pages: Record<string, Page> = {};
const step = storySteps(async () => {
  if (!process.env.E2E_SCREENSHOTS) return;
  for (const [name, page] of Object.entries(pages)) await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS, `${name}.png`), fullPage: true });
});

describe("admin dashboard and doctor portal", () => {
  let adminPage: Page;
  let doctorPage: Page;
  const patientKeys = testKeys();
  let alice: ApiClient;
  let records: Awaited<ReturnType<typeof uploadAsPatient>>[] = [];

  step("a stranger is told they are not an administrator", async () => {
    const { context, page } = await session.open(stranger, "/admin", "admin");
    await page.getByRole("heading", { name: "You are not an administrator" }).waitFor();
    assert.equal(await page.getByTestId("admin-dashboard").count(), 0);
    await context.close();
  });

  step("the admin registers a doctor: a wrong checksum is refused, then the doctor is listed", async () => {
    ({ page: adminPage } = await session.open(admin, "/admin", "admin"));
    pages.admin = adminPage;
    await adminPage.getByTestId("admin-dashboard").waitFor();
    // Other test files share this chain: count relative to what the overview shows first.
    const doctorsBefore = Number(await adminPage.getByTestId("overview-doctors").filter({ hasText: /^\d+$/ }).innerText());
    const form = adminPage.getByTestId("register-doctor");
    await submitDoctorRegistration(adminPage, { address: badChecksum(doctor), name: "Dr Cristina Yang", specialty: "Cardiothoracic surgery", licence: "LIC-12345" });
    await form.locator('[data-testid$="-address-error"]').filter({ hasText: /checksum/i }).waitFor();
    await form.getByLabel("Wallet address").fill(web3Checksum(doctor));
    await form.getByRole("button", { name: "Register doctor" }).click();
    await adminPage.getByTestId("register-doctor-result").waitFor();
    // The registry lists ten doctors a page and the files before this one register many: find ours by name.
    await adminPage.getByLabel("Search doctors").fill("Cristina Yang");
    await adminPage.locator(`[data-testid="doctor-row"][data-address="${doctor}"]`).waitFor();

    await submitDoctorRegistration(adminPage, { address: secondDoctor, name: "Dr James Wilson", specialty: "Palliative care", licence: "LIC-999" });
    await adminPage.getByTestId("register-doctor-result").filter({ hasText: "Dr James Wilson" }).waitFor();
    await adminPage.getByLabel("Search doctors").fill("palliative");
    await adminPage.getByTestId("doctor-count").filter({ hasText: "of 1 doctor" }).waitFor();
    await adminPage.getByLabel("Search doctors").fill("");
    await adminPage.getByTestId("overview-doctors").filter({ hasText: new RegExp(`^${doctorsBefore + 2}$`) }).waitFor();
    await shot(adminPage, "admin-dashboard");
  });

  step("registering the same doctor again is refused before anything is sent, with the reason in words", async () => {
    await submitDoctorRegistration(adminPage, { address: secondDoctor, name: "Dr James Wilson", specialty: "Palliative care", licence: "LIC-000" });
    await adminPage.getByTestId("register-doctor").getByTestId("register-doctor-error").filter({ hasText: "This address is already registered as a doctor" }).waitFor();
  });

  step("the admin verifies a licence", async () => {
    const form = adminPage.getByTestId("verify-licence");
    await form.getByLabel("Doctor's wallet address").fill(doctor);
    await form.getByLabel("Licence number to check").fill("LIC-12345");
    await form.getByRole("button", { name: "Verify licence" }).click();
    await form.getByTestId("verify-licence-result").filter({ hasText: "matches" }).waitFor();
    await form.getByLabel("Licence number to check").fill("LIC-1234");
    await form.getByRole("button", { name: "Verify licence" }).click();
    await form.getByTestId("verify-licence-result").filter({ hasText: "does NOT match" }).waitFor();
    // The refused second registration replaced nothing: the licence registered first still checks out.
    await form.getByLabel("Doctor's wallet address").fill(secondDoctor);
    await form.getByLabel("Licence number to check").fill("LIC-999");
    await form.getByRole("button", { name: "Verify licence" }).click();
    await form.getByTestId("verify-licence-result").filter({ hasText: "matches" }).waitFor();
  });

  step("the last administrator cannot be removed", async () => {
    const panel = adminPage.getByTestId("admins");
    await panel.getByRole("button", { name: `Remove administrator ${admin}` }).click();
    await panel.getByTestId("admin-action-result").filter({ hasText: "last administrator" }).waitFor();
  });

  step("an address that is not a doctor is told so on the doctor portal", async () => {
    const { context, page } = await session.open(stranger, "/doctor", "doctor");
    await page.locator('[data-testid="doctor-refused"][data-reason="not-registered"]').waitFor();
    await context.close();
  });

  step("the doctor creates a key, downloads the backup and publishes the key on chain", async () => {
    ({ page: doctorPage } = await session.open(doctor, "/doctor", "doctor"));
    pages.doctor = doctorPage;
    const signUp = doctorPage.getByTestId("sign-up");
    await signUp.getByRole("heading", { name: "Create your doctor key" }).waitFor();
    await signUp.getByLabel(/^Passphrase/).fill(PASSPHRASE);
    await signUp.getByLabel("Confirm passphrase").fill(PASSPHRASE);
    await signUp.getByRole("button", { name: "Create my key" }).click();
    const backup = doctorPage.getByTestId("backup-step");
    const bytes = await downloadedBytes(doctorPage, () => backup.getByRole("button", { name: "Download backup file" }).click(), "doctor-backup.json");
    assert.match(bytes.toString(), /"publicKey"/);
    await backup.getByRole("button", { name: "Continue to registration" }).click();
    await doctorPage.getByTestId("key-unlocked").waitFor();
    await doctorPage.getByTestId("patients-empty").waitFor();
  });

  step("the patient shares two of three records with the doctor", async () => {
    await registerPatient(patient, patientKeys.publicKeyHex);
    alice = await signedInClient(patient);
    assert.equal((await alice.put("/api/keys/me", { json: { publicKey: patientKeys.publicKeyHex } })).status, 200);
    records = [
      await uploadAsPatient(alice, patientKeys, "Blood panel", "Blood panel: fine"),
      await uploadAsPatient(alice, patientKeys, "Chest X-ray", "Chest X-ray: clear"),
      await uploadAsPatient(alice, patientKeys, "Private note", "Not shared"),
    ];
    const doctorKey = (await alice.get(`/api/keys/${doctor}`)).body as { publicKey: string };
    const shared = records.slice(0, 2);
    const put = await alice.put("/api/shares/keys", {
      json: { doctor, keys: shared.map((record) => ({ recordId: record.recordId, wrappedKey: bytesToBase64(wrapKey(record.dataKey, publicKeyFromHex(doctorKey.publicKey))) })) },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await grantAccess(patient, doctor, shared.map((record) => record.recordId), Math.floor(Date.now() / 1000) + 7 * 86_400);
  });

  step("the doctor sees exactly those two records, with expiry, and opens one (bytes equal)", async () => {
    await doctorPage.getByRole("button", { name: "Refresh" }).click();
    await doctorPage.locator(`[data-testid="patient-item"][data-patient="${patient}"]`).waitFor();
    await doctorPage.getByTestId("record-item").nth(1).waitFor();
    assert.deepEqual((await doctorPage.getByTestId("record-title").allInnerTexts()).sort(), ["Blood panel", "Chest X-ray"]);
    assert.match(await doctorPage.getByTestId("record-expiry").first().innerText(), /Access until/);
    assert.match(await doctorPage.getByTestId("record-author").first().innerText(), /Added by the patient/);
    await shot(doctorPage, "doctor-patients");
    await doctorPage.getByLabel("Search").fill("x-ray");
    await doctorPage.getByTestId("records-count").filter({ hasText: "1 of 2" }).waitFor();
    await doctorPage.getByLabel("Search").fill("");

    await doctorPage.getByRole("button", { name: "Open Blood panel" }).click();
    await doctorPage.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
    await shot(doctorPage, "doctor-viewer");
    const bytes = await downloadedBytes(doctorPage, () => doctorPage.getByRole("button", { name: "Download" }).click(), "opened.pdf");
    assert.ok(bytes.equals(records[0]!.file), "the doctor's download equals the patient's file");
    const log = (await alice.get("/api/access-log")).body as { accesses: { doctor: string; recordId: string }[] };
    assert.ok(log.accesses.some((entry) => entry.doctor === doctor && entry.recordId === records[0]!.recordId), "the opening is in the patient's access log");
    await doctorPage.getByRole("button", { name: "Back to my patients" }).click();
  });

  step("after the patient revokes, opening says the access was revoked", async () => {
    await revokeAccess(patient, doctor, [records[1]!.recordId]);
    await doctorPage.getByRole("button", { name: "Open Chest X-ray" }).click();
    await doctorPage.locator('[data-testid="access-refused"], [data-testid="open-error"]').waitFor();
    assert.match(await doctorPage.getByTestId("record-viewer").innerText(), /revoked/);
    assert.equal(await doctorPage.getByTestId("access-refused").count(), 1);
    await shot(doctorPage, "doctor-refused");
    assert.equal(await doctorPage.getByRole("button", { name: "Download" }).count(), 0);
    await doctorPage.getByRole("button", { name: "Back to my patients" }).click();
  });

  step("with an all-records grant, the doctor adds a record for the patient and is shown as its author", async () => {
    await grantAllAccess(patient, doctor, 0);
    await doctorPage.getByRole("button", { name: "Refresh" }).click();
    await doctorPage.getByRole("button", { name: "Add a record for this patient" }).click();
    const form = doctorPage.getByTestId("upload-form");
    await form.getByLabel("PDF file").setInputFiles({ name: "ecg.pdf", mimeType: "application/pdf", buffer: makePdf("ECG: sinus rhythm") });
    await form.getByLabel("Title").fill("ECG");
    await form.getByLabel("Category").selectOption({ label: "Lab result" });
    await form.getByLabel("Hospital name").fill("Heart Clinic");
    await form.getByLabel("Admission date").fill("2024-07-01");
    await form.getByLabel("Discharge date").fill("2024-07-01");
    await form.getByLabel("Reason for the visit").fill("Palpitations");
    await form.getByRole("button", { name: "Encrypt and upload" }).click();
    await doctorPage.getByRole("status").filter({ hasText: "“ECG” was encrypted, stored and recorded on chain" }).waitFor();
    const item = doctorPage.getByTestId("record-item").filter({ hasText: "ECG" });
    await item.waitFor();
    assert.equal(await item.getByTestId("record-author").innerText(), "Added by you");
  });

  step("the admin deactivates the doctor (with a confirmation); opening then says the account is deactivated", async () => {
    await adminPage.getByLabel("Search doctors").fill("Cristina Yang");
    const row = adminPage.locator(`[data-testid="doctor-row"][data-address="${doctor}"]`);
    await row.getByRole("button", { name: "Deactivate Dr Cristina Yang" }).click();
    await row.getByRole("button", { name: "Confirm deactivation" }).click();
    await adminPage.getByTestId("doctor-action-result").filter({ hasText: "is deactivated" }).waitFor();
    await adminPage.locator(`[data-testid="doctor-row"][data-address="${doctor}"][data-active="false"]`).waitFor();

    await doctorPage.getByRole("button", { name: "Open Blood panel" }).click();
    await doctorPage.locator('[data-testid="access-refused"], [data-testid="open-error"]').waitFor();
    assert.match(await doctorPage.getByTestId("record-viewer").innerText(), /deactivated/);
    await doctorPage.reload();
    await doctorPage.locator('[data-testid="doctor-refused"][data-reason="deactivated"]').waitFor();
  });
});
