/**
 * The patient's sharing screens in the browser (doctors set up through the API and the chain): a key-store key
 * that differs from the chain's stops a grant, a rejected grant leaves no wrapped key, two records granted for
 * 7 days, the opening in the access log, revoking one record then all, an all-records grant that later
 * uploads are wrapped for (a doctor whose key does not verify is skipped with a warning), and changing that
 * grant's expiry.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { downloadInto, fillUploadForm, storySession, storySteps, type UploadFields } from "../support/story";
import type { TestWallet } from "../support/test-wallet";
import { signedInClient } from "../support/api/api-client";
import { logAccess, registerDoctor } from "../support/api/chain";
import { testKeys, withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
const admin = stack.accounts[0]!.toLowerCase();
const patient = stack.accounts[25]!.toLowerCase();
const grey = stack.accounts[26]!.toLowerCase();
const house = stack.accounts[27]!.toLowerCase();
const PASSPHRASE = "correct horse battery staple 42";
const rec = (title: string, category: string): UploadFields => ({ file: makePdf(title), name: `${title}.pdf`, title, hospital: "St Mary Hospital", reason: "Check-up", admission: "2024-03-04", discharge: "2024-03-05", category });
const A = rec("Blood panel", "Lab result");
const B = rec("Chest X-ray", "Imaging");
const C = rec("Appendectomy discharge", "Discharge summary");
const D = rec("Tetanus booster", "Other");

const session = storySession("patient-sharing");

const step = storySteps();

async function upload(page: Page, record: UploadFields) {
  await page.getByRole("tab", { name: "My records" }).click();
  await page.getByRole("button", { name: "Upload a PDF" }).first().click();
  await fillUploadForm(page, record);
  await page.getByRole("status").filter({ hasText: `“${record.title}” was encrypted, stored and recorded on chain.` }).waitFor();
}

describe("patient sharing screens", () => {
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  const keysFor = (doctor: string) =>
    withDatabase(async (db) => Number((await db.query("SELECT count(*)::int AS n FROM wrapped_keys WHERE recipient = $1", [doctor])).rows[0].n));
  const greyKeys = testKeys();
  const houseKeys = testKeys();
  const ids: Record<string, string> = {};

  step("doctors registered with keys", async () => {
    await registerDoctor(admin, grey, greyKeys.publicKeyHex, { name: "Dr Grey", specialty: "Cardiology" });
    await registerDoctor(admin, house, houseKeys.publicKeyHex, { name: "Dr House", specialty: "Diagnostics" });
    for (const [account, keys] of [[grey, greyKeys], [house, houseKeys]] as const) {
      const client = await signedInClient(account);
      const put = await client.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } });
      assert.ok(put.status < 300, JSON.stringify(put.body));
    }
  });

  step("patient signs up and uploads three records", async () => {
    ({ context, page, wallet } = await session.open(patient, "/patient", "patient"));
    const signUp = page.getByTestId("sign-up");
    await signUp.getByLabel(/^Passphrase/).fill(PASSPHRASE);
    await signUp.getByLabel("Confirm passphrase").fill(PASSPHRASE);
    await signUp.getByRole("button", { name: "Create my key" }).click();
    const backupStep = page.getByTestId("backup-step");
    await downloadInto(page, () => backupStep.getByRole("button", { name: "Download backup file" }).click(), session.folder, "backup.json");
    await backupStep.getByRole("button", { name: "Continue to registration" }).click();
    await page.getByTestId("key-unlocked").waitFor();
    for (const record of [A, B, C]) await upload(page, record);
    await page.getByTestId("record-item").nth(2).waitFor();
    for (const item of await page.getByTestId("record-item").all()) {
      ids[await item.getByTestId("record-title").innerText()] = (await item.getAttribute("data-record-id"))!;
    }
    assert.equal(Object.keys(ids).length, 3);
  });

  step("empty states", async () => {
    await page.getByRole("tab", { name: "Who can see what" }).click();
    await page.getByTestId("shares-empty").waitFor();
    await page.getByTestId("revocation-note").waitFor();
    await page.getByRole("tab", { name: "Access log" }).click();
    await page.getByTestId("accesses-empty").waitFor();
    await page.getByTestId("history-empty").waitFor();
  });

  step("a swapped key in the key store stops the grant; a rejected grant leaves no keys", async () => {
    await page.getByRole("tab", { name: "Share" }).click();
    const form = page.getByTestId("grant-form");
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/share.png`, fullPage: true });
    // The form lists 20 doctors a page and the files before this one register many: find ours by name.
    await form.getByLabel("Search doctors").fill("Dr Grey");
    await form.getByRole("radio", { name: "Dr Grey, Cardiology" }).check();
    await form.getByRole("checkbox", { name: A.title }).check();
    await form.getByRole("button", { name: "Review the grant" }).click();
    await page.route(`**/api/keys/${grey}`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ address: grey, publicKey: testKeys().publicKeyHex }) }));
    await page.getByTestId("grant-review").getByRole("button", { name: "Sign the grant" }).click();
    await page.getByTestId("grant-key-warning").waitFor();
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/key-warning.png`, fullPage: true });
    await page.unrouteAll();
    assert.equal(await keysFor(grey), 0);

    wallet.rejectNext.add("eth_sendTransaction");
    await form.getByRole("button", { name: "Review the grant" }).click();
    await page.getByTestId("grant-review").getByRole("button", { name: "Sign the grant" }).click();
    const error = page.getByTestId("grant-error");
    await error.waitFor();
    assert.match(await error.innerText(), /rejected[\s\S]*keys prepared for the doctor were deleted/);
    assert.equal(await keysFor(grey), 0, "the keys stored before signing were pruned");
    await form.getByRole("checkbox", { name: A.title }).uncheck();
  });

  step("grants two records to Dr Grey for 7 days", async () => {
    await page.getByRole("tab", { name: "Share" }).click();
    const form = page.getByTestId("grant-form");
    await form.getByLabel("Search doctors").fill("Dr Grey");
    await form.getByRole("radio", { name: "Dr Grey, Cardiology" }).check();
    await form.getByRole("checkbox", { name: A.title }).check();
    await form.getByRole("checkbox", { name: B.title }).check();
    await form.getByRole("radio", { name: "7 days" }).check();
    await form.getByRole("button", { name: "Review the grant" }).click();
    const review = page.getByTestId("grant-review");
    await review.waitFor();
    assert.match(await review.innerText(), /Chest X-ray[\s\S]*Blood panel/);
    await review.getByRole("button", { name: "Sign the grant" }).click();
    await page.getByTestId("grant-done").filter({ hasText: "can now read 2 records" }).waitFor();
    const greyApi = await signedInClient(grey);
    const listed = await greyApi.post("/api/records/query", { json: { recordIds: Object.values(ids) } });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual((listed.body as { records: { recordId: string }[] }).records.map((r) => r.recordId).sort(), [ids[A.title], ids[B.title]].sort());
    await logAccess(grey, ids[A.title]!);
    const key = await greyApi.get(`/api/records/${ids[A.title]}/key`);
    assert.equal(key.status, 200, JSON.stringify(key.body));
  });

  step("the access is in the log", async () => {
    await page.getByRole("tab", { name: "Access log" }).click();
    const entry = page.getByTestId("access-entry").first();
    await entry.waitFor();
    assert.match(await entry.innerText(), /Dr Grey[\s\S]*“Blood panel”/);
    await page.getByTestId("history-entry").first().waitFor();
    await page.locator('[data-testid="audit-entry"][data-allowed="true"]').first().waitFor();
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/access-log.png`, fullPage: true });
  });

  step("revokes one record, then all", async () => {
    await page.getByRole("tab", { name: "Who can see what" }).click();
    const card = page.locator(`[data-testid="share-doctor"][data-address="${grey}"]`);
    await card.getByTestId("share-record").nth(1).waitFor();
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/shares.png`, fullPage: true });
    await card.getByRole("button", { name: `Revoke access to ${A.title}` }).click();
    await page.getByTestId("share-action-done").waitFor();
    const greyApi = await signedInClient(grey);
    const key = await greyApi.get(`/api/records/${ids[A.title]}/key`);
    assert.equal(key.status, 403);
    await card.getByTestId("share-record").nth(0).waitFor();
    assert.equal(await card.getByTestId("share-record").count(), 1);
    await card.getByRole("button", { name: "Revoke all access" }).click();
    await page.getByTestId("shares-empty").waitFor();
  });

  step("grants all records to Dr House; a later upload is wrapped for him; expiry changes", async () => {
    await page.getByRole("tab", { name: "Share" }).click();
    const form = page.getByTestId("grant-form");
    await form.getByLabel("Search doctors").fill("Dr House");
    await form.getByRole("radio", { name: "Dr House, Diagnostics" }).check();
    await form.getByRole("radio", { name: "All records, including future ones" }).check();
    await form.getByRole("radio", { name: "No expiry" }).check();
    await form.getByRole("button", { name: "Review the grant" }).click();
    await page.getByTestId("grant-review").getByRole("button", { name: "Sign the grant" }).click();
    await page.getByTestId("grant-done").filter({ hasText: "all your records" }).waitFor();
    await page.route(`**/api/keys/${house}`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ address: house, publicKey: testKeys().publicKeyHex }) }));
    await page.getByRole("tab", { name: "My records" }).click();
    await page.getByRole("button", { name: "Upload a PDF" }).first().click();
    await fillUploadForm(page, rec("Skipped one", "Other"));
    await page.getByTestId("upload-share-warning").filter({ hasText: "Dr House" }).waitFor();
    await page.unrouteAll();
    await page.getByTestId("record-item").nth(3).waitFor();
    await upload(page, D);
    await page.getByTestId("record-item").nth(4).waitFor();
    const item = page.locator('[data-testid="record-item"]').filter({ hasText: D.title });
    ids[D.title] = (await item.getAttribute("data-record-id"))!;
    const houseApi = await signedInClient(house);
    const listed = await houseApi.post("/api/records/query", { json: { recordIds: Object.values(ids) } });
    assert.equal((listed.body as { records: unknown[] }).records.length, 4, JSON.stringify(listed.body));
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/after-upload.png`, fullPage: true });

    await page.getByRole("tab", { name: "Who can see what" }).click();
    const card = page.locator(`[data-testid="share-doctor"][data-address="${house}"]`);
    await card.getByRole("button", { name: "Change expiry" }).click();
    await card.getByRole("radio", { name: "Until a date" }).check();
    await card.getByLabel("Last day of access").fill("2099-12-31");
    await card.getByRole("button", { name: "Save expiry" }).click();
    await page.getByTestId("share-action-done").waitFor();
    await page.locator('[data-testid="share-all-expiry"]').filter({ hasText: "2099" }).waitFor();
    await page.getByRole("tab", { name: "Access log" }).click();
    await page.locator('[data-testid="history-entry"][data-kind="all_expiry_updated"]').waitFor();
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/history.png`, fullPage: true });
    await context.close();
  });
});
