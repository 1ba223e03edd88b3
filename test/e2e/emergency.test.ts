/**
 * Emergency access (break-glass) as one browser story: two administrators publish encryption keys -> the patient
 * opts in (all records) -> a doctor requests with a reason and a note -> one administrator approves and the
 * doctor is still refused -> a second administrator approves -> the doctor opens the record and its bytes match
 * -> the patient sees the emergency entry (reason, doctor, approvers, what was opened) at the top of the access
 * log with a prompt to renew -> the window ends on the chain's clock -> the doctor is refused -> the patient renews ->
 * an administrator publishes a new key: the share sealed for the old one is orphaned, the panel asks for a renewal.
 * Accounts 40 (patient), 41 (doctor), 42 (second administrator, removed again at the end).
 */
import assert from "node:assert/strict";
import { after, describe } from "node:test";
import type { Page } from "playwright-core";
import { Web3 } from "web3";
import { doctorContractAbi } from "@/lib/chain/generated/contracts";
import { generateKeyPair, publicKeyToHex } from "@/lib/crypto";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { createKeyOnFirstVisit, downloadInto, fillUploadForm, storySession, storySteps, type UploadFields } from "../support/story";
import { signedInClient } from "../support/api/api-client";
import { increaseChainTime, registerDoctor } from "../support/api/chain";

const stack = stackUnderTest();
const admin = stack.accounts[0]!.toLowerCase();
const patient = stack.accounts[40]!.toLowerCase();
const doctor = stack.accounts[41]!.toLowerCase();
const secondAdmin = stack.accounts[42]!.toLowerCase();
const PASSPHRASE = "break glass battery staple 42";
const NOTE = "Unconscious in the emergency room, allergy history needed";

const bloodPanel: UploadFields = {
  file: makePdf("Emergency story: penicillin allergy, blood group O-"),
  name: "allergy-card.pdf",
  title: "Allergy card",
  category: "Lab result",
  hospital: "St Mary's",
  reason: "Allergy testing",
  admission: "2025-03-01",
  discharge: "2025-03-01",
};

const session = storySession("emergency");

/** DoctorContract on the test chain at the address the app reports. */
async function doctorContract() {
  const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: Record<string, { address: string } | undefined> } };
  const web3 = new Web3(stack.rpcUrl);
  return new web3.eth.Contract(doctorContractAbi, health.chain.contracts.DoctorContract!.address);
}
const GAS = { gas: "3000000" };

after(async () => {
  // Other test files count administrators: the second one goes again (its key with it).
  const contract = await doctorContract().catch(() => undefined);
  if (contract && Number(await contract.methods.emergencyWindow().call()) !== 86_400) await contract.methods.setEmergencyWindow(86_400).send({ from: admin, ...GAS });
  if (contract && (await contract.methods.isAdmin(secondAdmin).call())) await contract.methods.removeAdmin(secondAdmin).send({ from: admin, ...GAS });
});

/** An administrator's key for emergency shares: created in the admin panel, backed up, published on chain. */
async function createAdminKey(page: Page, backupName: string) {
  const panel = page.getByTestId("admin-emergency");
  const form = panel.getByTestId("admin-key-create");
  // An administrator whose key another test file published has no backup in this browser: make a new one.
  const replace = panel.getByRole("button", { name: "Create a new administrator key instead" });
  await form.or(replace).waitFor();
  if (await replace.isVisible()) await replace.click();
  await form.getByLabel(/^Passphrase/).fill(PASSPHRASE);
  await form.getByLabel(/^Confirm passphrase/).fill(PASSPHRASE);
  await form.getByRole("button", { name: "Create my administrator key" }).click();
  await downloadInto(page, () => panel.getByRole("button", { name: "Download backup file" }).click(), session.folder, backupName);
  await panel.getByRole("button", { name: "Publish my administrator key" }).click();
  await panel.getByTestId("admin-emergency-ready").waitFor();
}

async function approve(page: Page, requestId: string) {
  const panel = page.getByTestId("admin-emergency");
  await panel.getByRole("button", { name: "Refresh requests" }).click();
  const item = panel.locator(`[data-testid="emergency-request"][data-request-id="${requestId}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), /Dr Emma Break[\s\S]*unconscious[\s\S]*Note: Unconscious in the emergency room/i, "the doctor, the reason and the decrypted note");
  await item.getByRole("button", { name: `Approve request ${requestId}` }).click();
  await panel.getByTestId("emergency-action-result").filter({ hasText: `You approved request ${requestId}` }).waitFor();
}

const step = storySteps();

describe("emergency access: two administrators, one doctor, the patient's log", () => {
  let adminPage: Page;
  let secondAdminPage: Page;
  let doctorPage: Page;
  let patientPage: Page;
  let recordId = "";
  let requestId = "";

  step("two administrators publish encryption keys from the admin dashboard", async () => {
    const contract = await doctorContract();
    if (!(await contract.methods.isAdmin(secondAdmin).call())) await contract.methods.addAdmin(secondAdmin).send({ from: admin, ...GAS });
    adminPage = await session.openPage(admin, "/admin", "admin");
    await createAdminKey(adminPage, "admin-0.json");
    secondAdminPage = await session.openPage(secondAdmin, "/admin", "admin");
    await createAdminKey(secondAdminPage, "admin-42.json");
    assert.ok(Number(await contract.methods.adminsWithKeyCount().call()) >= 2);
  });

  step("the patient uploads a record and turns emergency access on for all records", async () => {
    patientPage = await session.openPage(patient, "/patient", "patient");
    await createKeyOnFirstVisit(patientPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "patient.json" });
    await patientPage.getByRole("button", { name: "Upload a PDF" }).first().click();
    await fillUploadForm(patientPage, bloodPanel);
    await patientPage.getByRole("status").filter({ hasText: `“${bloodPanel.title}” was encrypted, stored and recorded on chain.` }).waitFor();
    recordId = (await patientPage.getByTestId("record-item").first().getAttribute("data-record-id"))!;

    await patientPage.getByRole("tab", { name: "Emergency access" }).click();
    const panel = patientPage.getByTestId("emergency-panel");
    await panel.getByRole("radio", { name: "All records, including future ones" }).check();
    await panel.getByRole("button", { name: "Turn on emergency access" }).click();
    await panel.getByTestId("emergency-done").filter({ hasText: "1 record can be opened" }).waitFor();
    await panel.locator('[data-testid="emergency-status"][data-enabled="true"]').waitFor();
  });

  step("the doctor requests emergency access with a reason and a note", async () => {
    await registerDoctor(admin, doctor, undefined, { name: "Dr Emma Break", specialty: "Emergency medicine" });
    // The shortest window (1 h) keeps the chain's clock jump small for the browser tests that run after this one.
    await (await doctorContract()).methods.setEmergencyWindow(3600).send({ from: admin, ...GAS });
    doctorPage = await session.openPage(doctor, "/doctor", "doctor");
    await createKeyOnFirstVisit(doctorPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "doctor.json" });
    const panel = doctorPage.getByTestId("doctor-emergency");
    await panel.getByLabel(/^Patient address/).fill(patient);
    await panel.getByLabel(/^Reason/).selectOption({ value: "1" });
    await panel.getByLabel(/^Note/).fill(NOTE);
    await panel.getByRole("button", { name: "Request emergency access" }).click();
    const status = panel.locator('[data-testid="emergency-request-status"][data-state="pending"]');
    await status.waitFor();
    requestId = (await status.getAttribute("data-request-id"))!;
    assert.match(await status.innerText(), /0 of 2 approvals/);
  });

  step("one administrator approves: the doctor is still refused", async () => {
    await approve(adminPage, requestId);
    const panel = doctorPage.getByTestId("doctor-emergency");
    await panel.getByRole("button", { name: "Check status" }).click();
    await panel.locator('[data-testid="emergency-request-status"][data-state="pending"]').filter({ hasText: "1 of 2 approvals" }).waitFor();
    await panel.getByRole("button", { name: "Open emergency records" }).click();
    await panel.getByTestId("emergency-refused").filter({ hasText: "no live emergency access" }).waitFor();
    const api = await signedInClient(doctor);
    assert.equal((await api.get(`/api/emergency/patients/${patient}`)).status, 403, "no shares below the threshold");
    assert.equal((await api.get(`/api/emergency/records/${recordId}/key`)).status, 403, "no key below the threshold");
  });

  step("a second administrator approves: the doctor opens the record and its bytes match", async () => {
    await approve(secondAdminPage, requestId);
    const panel = doctorPage.getByTestId("doctor-emergency");
    await panel.getByRole("button", { name: "Check status" }).click();
    await panel.locator('[data-testid="emergency-request-status"][data-state="approved"]').waitFor();
    await panel.getByRole("button", { name: "Open emergency records" }).click();
    await panel.locator(`[data-testid="emergency-record"][data-record-id="${recordId}"]`).getByRole("button", { name: "Open emergency record 1" }).click();
    const viewer = panel.getByTestId("emergency-viewer");
    await viewer.getByRole("heading", { name: bloodPanel.title }).waitFor();
    await viewer.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
    const bytes = await downloadInto(doctorPage, () => viewer.getByRole("button", { name: "Download" }).click(), session.folder, "emergency.pdf");
    assert.ok(bytes.equals(bloodPanel.file), "the doctor's copy equals the patient's file byte for byte");
  });

  step("the patient sees the emergency access at the top of the access log and is asked to renew", async () => {
    await patientPage.getByRole("tab", { name: "Access log" }).click();
    const entry = patientPage.locator(`[data-testid="emergency-entry"][data-request-id="${requestId}"][data-state="approved"]`);
    await entry.waitFor();
    const text = await entry.innerText();
    assert.match(text, /Dr Emma Break \(Emergency medicine\)/);
    assert.match(text, /Reason: The patient is unconscious/);
    assert.match(text, new RegExp(`Note: ${NOTE}`));
    assert.match(text, new RegExp(`Approved by: .*${admin}`));
    assert.match(text, new RegExp(`Approved by: .*${secondAdmin}`));
    assert.match(text, /Opened: “Allergy card”/);
    await patientPage.getByTestId("emergency-renew-prompt").waitFor();
    // The emergency log comes before the rest of the access log.
    const order = await patientPage.evaluate(() => {
      const log = document.querySelector('[data-testid="emergency-log"]');
      const first = document.querySelector('[data-testid="access-entry"]');
      return Boolean(log && first && log.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, "emergency accesses are listed above the openings");
    await patientPage.locator('[data-testid="audit-entry"][data-reason="emergency"]').first().waitFor();
  });

  step("the window ends on the chain's clock: the doctor is refused", async () => {
    const contract = await doctorContract();
    await increaseChainTime(Number(await contract.methods.emergencyWindow().call()) + 60);
    const panel = doctorPage.getByTestId("doctor-emergency");
    await panel.getByRole("button", { name: "Back to emergency records" }).click();
    await panel.getByRole("button", { name: "Check status" }).click();
    await panel.locator('[data-testid="emergency-request-status"][data-state="ended"]').waitFor();
    await panel.getByRole("button", { name: "Open emergency records" }).click();
    await panel.getByTestId("emergency-refused").waitFor();
    const api = await signedInClient(doctor);
    const key = await api.get(`/api/emergency/records/${recordId}/key`);
    assert.equal(key.status, 403);
    assert.deepEqual((key.body as { error: { details?: unknown } }).error.details, { reason: "expired" });
  });

  step("the patient follows the prompt and renews the emergency key: a new version, the record wrapped again", async () => {
    await patientPage.getByTestId("emergency-renew-prompt").getByRole("button", { name: "Renew now" }).click();
    const panel = patientPage.getByTestId("emergency-panel");
    await panel.getByRole("button", { name: "Renew emergency key" }).click();
    await panel.getByTestId("emergency-done").filter({ hasText: "key version 2" }).waitFor();
    await panel.locator('[data-testid="emergency-status"][data-enabled="true"][data-version="2"]').waitFor();
    await patientPage.getByRole("tab", { name: "Access log" }).click();
    await patientPage.locator(`[data-testid="emergency-entry"][data-request-id="${requestId}"]`).waitFor();
    assert.equal(await patientPage.getByTestId("emergency-renew-prompt").count(), 0, "no prompt once the key is renewed");
  });

  step("an administrator publishes a new key: their share is orphaned, the patient is asked to renew, and renewing clears it", async () => {
    const contract = await doctorContract();
    await contract.methods.setAdminEncryptionKey(publicKeyToHex(generateKeyPair().publicKey)).send({ from: secondAdmin, ...GAS });
    await patientPage.getByRole("tab", { name: "Emergency access" }).click();
    const panel = patientPage.getByTestId("emergency-panel");
    await panel.getByTestId("emergency-orphaned-shares").waitFor();
    await panel.getByRole("button", { name: "Renew emergency key" }).click();
    await panel.getByTestId("emergency-done").filter({ hasText: "key version 3" }).waitFor();
    await panel.locator('[data-testid="emergency-status"][data-enabled="true"][data-version="3"]').waitFor();
    assert.equal(await panel.getByTestId("emergency-orphaned-shares").count(), 0, "every administrator holds a share for their key again");
  });
});
