import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe } from "node:test";
import pg from "pg";
import type { BrowserContext, Page } from "playwright-core";
import { makePdf, NOT_A_PDF } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { downloadBytes, fillUploadForm, storySession, storySteps } from "../support/story";
import { TestWallet } from "../support/test-wallet";

const stack = stackUnderTest();
const account = stack.accounts[10]!.toLowerCase();
const PASSPHRASE = "correct horse battery staple 42";
const labResult = { file: makePdf("Blood panel: haemoglobin 14.1 g/dL"), name: "blood-panel.pdf", title: "Blood panel", hospital: "St Mary Hospital", reason: "Annual check-up", admission: "2024-03-04", discharge: "2024-03-04", category: "Lab result" };
// About 1.5 MB, as a scanned summary would be: encrypted on the page's envelope worker threads.
const discharge = { file: makePdf("Discharge summary: appendectomy, recovery normal", { padTo: 1_500_000 }), name: "discharge.pdf", title: "Appendectomy discharge", hospital: "General Hospital", reason: "Acute appendicitis", admission: "2024-06-10", discharge: "2024-06-14", category: "Discharge summary" };
const xray = { file: makePdf("Chest X-ray: no consolidation"), name: "chest-xray.pdf", title: "Chest X-ray", hospital: "General Hospital", reason: "Persistent cough", admission: "2024-09-02", discharge: "2024-09-02", category: "Imaging" };
const vaccination = { file: makePdf("Vaccination: tetanus booster"), name: "vaccination.pdf", title: "Tetanus booster", hospital: "St Mary Hospital", reason: "Booster due", admission: "2024-10-01", discharge: "2024-10-01", category: "Other" };

/** Makes the wallet answer the next `times` calls of `method` with an RPC error, as a flaky node would. */
function failNext(wallet: TestWallet, method: string, times: number): { failed: () => number } {
  const target = wallet as unknown as { handle(method: string, params: unknown[]): Promise<unknown> };
  const original = target.handle.bind(wallet);
  let failed = 0;
  target.handle = async (name, params) => {
    if (name === method && failed < times) {
      failed += 1;
      wallet.requests.push(name);
      return { error: { code: -32603, message: "Internal JSON-RPC error (test: the node did not answer)" } };
    }
    return original(name, params);
  };
  return { failed: () => failed };
}

const apiError = (status: number, code: string, message: string) => ({ status, contentType: "application/json", body: JSON.stringify({ error: { code, message } }) });

const session = storySession("patient-journey");
let db: pg.Client;
let backupPath = "";
// The Web Workers the first page started, and the warnings it printed.
const pageWorkers: string[] = [];
const pageWarnings: string[] = [];

before(async () => {
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});
after(async () => {
  await db?.end();
});

async function openPortal(): Promise<{ context: BrowserContext; page: Page; wallet: TestWallet }> {
  return session.open(account, "/patient", "patient");
}

async function fillUpload(page: Page, record: typeof labResult, file?: { name: string; buffer: Buffer }) {
  await fillUploadForm(page, { ...record, name: file?.name ?? record.name, file: file?.buffer ?? record.file });
}

async function uploadRecord(page: Page, record: typeof labResult) {
  await page.getByRole("button", { name: "Upload a PDF" }).first().click();
  await fillUpload(page, record);
  await page.getByRole("status").filter({ hasText: `“${record.title}” was encrypted, stored and recorded on chain.` }).waitFor();
}

const titles = async (page: Page) => page.getByTestId("record-title").allInnerTexts();

const downloadedBytes = (page: Page, click: () => Promise<void>, name: string) => downloadBytes(page, click, path.join(session.folder, name));

async function openAndCheck(page: Page, record: typeof labResult) {
  await page.getByRole("button", { name: `Open ${record.title}` }).click();
  await page.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
  assert.equal(await page.getByTestId("pdf-pages").locator("canvas").count(), 1);
  const { bytes, suggested } = await downloadedBytes(page, () => page.getByRole("button", { name: "Download" }).click(), `${Date.now()}-${record.name}`);
  assert.equal(suggested, record.name);
  assert.ok(bytes.equals(record.file), "the downloaded file equals the uploaded one byte for byte");
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS, "viewer.png"), fullPage: true });
  await page.getByRole("button", { name: "Back to my records" }).click();
}

const step = storySteps();

describe("patient journey", () => {
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;

  step("signs up: passphrase, mandatory backup download, registerPatient, key published", async () => {
    ({ context, page, wallet } = await openPortal());
    page.on("worker", (worker) => pageWorkers.push(worker.url()));
    page.on("console", (message) => message.type() === "warning" && pageWarnings.push(message.text()));
    const signUp = page.getByTestId("sign-up");
    await signUp.getByLabel(/^Passphrase/).fill("short");
    await signUp.getByLabel("Confirm passphrase").fill("other");
    await signUp.getByRole("button", { name: "Create my key" }).click();
    await signUp.locator('[data-testid$="-passphrase-error"]').filter({ hasText: /use at least 12 characters/i }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("type")), "password");

    await signUp.getByLabel(/^Passphrase/).fill(PASSPHRASE);
    await signUp.getByLabel("Confirm passphrase").fill(PASSPHRASE);
    await signUp.getByLabel("Full name").fill("Ada Patient");
    await signUp.getByRole("button", { name: "Create my key" }).click();

    const backupStep = page.getByTestId("backup-step");
    await backupStep.waitFor();
    assert.equal(await backupStep.getByRole("button", { name: "Continue to registration" }).isDisabled(), true, "cannot continue before the download");
    const { bytes, suggested } = await downloadedBytes(page, () => backupStep.getByRole("button", { name: "Download backup file" }).click(), "backup.json");
    assert.equal(suggested, `ehr-key-backup-${account}.json`);
    backupPath = path.join(session.folder, "backup.json");
    const backup = JSON.parse(bytes.toString("utf8")) as { format: string; publicKey: string; address: string; ciphertext: string };
    assert.equal(backup.format, "ehr-key-backup");
    assert.equal(backup.address, account);

    await backupStep.getByRole("button", { name: "Continue to registration" }).click();
    await page.getByTestId("key-unlocked").waitFor();
    assert.ok(wallet.requests.includes("eth_sendTransaction"));
    await page.getByTestId("records-empty").waitFor();

    const keys = await db.query("SELECT 1 FROM profiles WHERE address = $1", [account]);
    assert.equal(keys.rowCount, 1, "the encrypted profile is stored");
    const profile = await db.query("SELECT encode(encrypted_profile, 'escape') AS text FROM profiles WHERE address = $1", [account]);
    assert.doesNotMatch(String(profile.rows[0]?.text), /Ada Patient/, "the profile is never stored in the clear");
    const published = await fetch(new URL(`/api/keys/${account}`, stack.appUrl));
    assert.equal(published.status, 200);
    assert.equal(((await published.json()) as { publicKey: string }).publicKey.toLowerCase(), backup.publicKey.toLowerCase());
  });

  step("refuses a non-PDF renamed .pdf with a clear message on the file field", async () => {
    await page.getByRole("button", { name: "Upload a PDF" }).first().click();
    await fillUpload(page, labResult, { name: "scan.pdf", buffer: NOT_A_PDF });
    const error = page.locator('[data-testid$="-file-error"]');
    await error.waitFor();
    assert.match(await error.innerText(), /not a PDF/);
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), "file", "focus moves to the field in error");
    await page.getByTestId("upload-form").getByRole("button", { name: "Cancel" }).click();
  });

  step("uploads two PDFs and lists them newest first; the 1.5 MB one is encrypted on worker threads", async () => {
    await uploadRecord(page, labResult);
    await uploadRecord(page, discharge);
    await page.getByTestId("record-item").nth(1).waitFor();
    assert.deepEqual(await titles(page), [discharge.title, labResult.title]);
    // Two cores or more give two or more envelope workers (none is PDF.js's: nothing was opened yet).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(pageWorkers.length, Math.min(4, cores) >= 2 ? Math.min(4, cores) : 0, pageWorkers.join(", "));
    assert.deepEqual(pageWarnings.filter((text) => /encryption threads/.test(text)), [], "no worker failed, so none fell back");
  });

  step("filters by category, hospital and dates, and searches decrypted metadata", async () => {
    await page.getByLabel("Category", { exact: true }).selectOption({ label: "Lab result" });
    assert.deepEqual(await titles(page), [labResult.title]);
    await page.getByLabel("Category", { exact: true }).selectOption({ label: "All categories" });
    await page.getByLabel("Hospital", { exact: true }).selectOption("General Hospital");
    assert.deepEqual(await titles(page), [discharge.title]);
    await page.getByLabel("Hospital", { exact: true }).selectOption("");
    await page.getByLabel("From").fill("2024-06-01");
    assert.deepEqual(await titles(page), [discharge.title]);
    await page.getByLabel("From").fill("");
    await page.getByLabel("Search").fill("check-up");
    assert.deepEqual(await titles(page), [labResult.title]);
    await page.getByLabel("Search").fill("nothing like this");
    await page.getByTestId("records-no-match").waitFor();
    await page.getByLabel("Search").fill("");
    assert.equal((await titles(page)).length, 2);
  });

  step("detects the same file uploaded twice before uploading it", async () => {
    const before = (await db.query("SELECT count(*)::int AS n FROM uploads")).rows[0] as { n: number };
    await page.getByRole("button", { name: "Upload a PDF" }).first().click();
    await fillUpload(page, { ...labResult, title: "Blood panel again" });
    const warning = page.getByTestId("duplicate-warning");
    await warning.waitFor();
    assert.match(await warning.innerText(), /already in your records as “Blood panel”/);
    await warning.getByRole("button", { name: "Cancel upload" }).click();
    const afterCount = (await db.query("SELECT count(*)::int AS n FROM uploads")).rows[0] as { n: number };
    assert.equal(afterCount.n, before.n, "nothing was sent to the server");
  });

  step("opens a record inline and downloads exactly the original bytes", async () => {
    await openAndCheck(page, discharge);
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: path.join(process.env.E2E_SCREENSHOTS, "records.png"), fullPage: true });
  });

  step("refuses a record whose CID is not the chain's, even when the server swaps key, metadata and file consistently", async () => {
    const ids = await page.getByTestId("record-item").evaluateAll((items) => items.map((item) => item.getAttribute("data-record-id")!));
    const [dischargeId, labId] = ids as [string, string];
    const attacks: Array<() => Promise<void>> = [
      // The key store names another (well-formed) CID.
      async () => {
        await page.route(`**/api/records/${labId}/key`, async (route) => {
          const response = await route.fetch();
          const body = (await response.json()) as { cid: string };
          await route.fulfill({ response, json: { ...body, cid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku" } });
        });
      },
      // The server answers for the lab result with the discharge summary: its key, metadata, CID and file all agree.
      async () => {
        await page.route(`**/api/records/${labId}/key`, async (route) => {
          const response = await route.fetch({ url: route.request().url().replace(labId, dischargeId) });
          const body = (await response.json()) as { recordId: string };
          await route.fulfill({ response, json: { ...body, recordId: labId } });
        });
        await page.route(`**/api/records/${labId}/content`, async (route) => {
          const response = await route.fetch({ url: route.request().url().replace(labId, dischargeId) });
          await route.fulfill({ response });
        });
      },
    ];
    for (const attack of attacks) {
      await attack();
      await page.getByRole("button", { name: `Open ${labResult.title}` }).click();
      const error = page.getByTestId("integrity-error");
      await error.waitFor();
      assert.equal(await error.innerText(), "This record failed its integrity check");
      assert.equal(await page.getByTestId("pdf-pages").count(), 0, "no PDF is shown");
      assert.equal(await page.getByRole("button", { name: "Download" }).count(), 0);
      await page.unrouteAll();
      await page.getByRole("button", { name: "Back to my records" }).click();
    }
  });

  step("refuses to show a tampered or truncated record", async () => {
    for (const damage of [(body: Buffer) => Buffer.concat([body.subarray(0, 40), Buffer.from([body[40]! ^ 1]), body.subarray(41)]), (body: Buffer) => body.subarray(0, body.length - 20)]) {
      await page.route("**/api/records/*/content", async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: damage(await response.body()) });
      });
      await page.getByRole("button", { name: `Open ${labResult.title}` }).click();
      const error = page.getByTestId("integrity-error");
      await error.waitFor();
      assert.equal(await error.innerText(), "This record failed its integrity check");
      assert.equal(await page.getByTestId("pdf-pages").count(), 0, "no partial PDF is shown");
      assert.equal(await page.getByRole("button", { name: "Download" }).count(), 0);
      await page.unrouteAll();
      await page.getByRole("button", { name: "Back to my records" }).click();
    }
  });

  step("a profile that fails to load offers Retry, never a Save that would overwrite it", async () => {
    await page.route("**/api/profile", (route) =>
      route.request().method() === "GET" ? route.fulfill(apiError(500, "internal", "The database did not answer.")) : route.continue(),
    );
    // Lock and unlock: the dashboard (and its profile panel) loads again.
    await page.getByRole("button", { name: "Lock" }).click();
    await page.getByTestId("unlock").getByLabel("Passphrase").fill(PASSPHRASE);
    await page.getByTestId("unlock").getByRole("button", { name: "Unlock" }).click();
    await page.getByTestId("key-unlocked").waitFor();
    await page.getByText("My profile").click();
    const failed = page.getByTestId("profile-load-error");
    await failed.waitFor();
    assert.match(await failed.innerText(), /could not be loaded[\s\S]*The database did not answer/);
    assert.equal(await page.getByRole("button", { name: "Save profile" }).count(), 0, "no Save while the real profile is unknown");
    await page.unrouteAll();
    await failed.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("button", { name: "Save profile" }).waitFor();
    assert.equal(await page.getByLabel("Full name").inputValue(), "Ada Patient");
    await page.getByText("My profile").click();
  });

  step("keeps the upload once addRecord has a hash: flaky receipts and 'not on chain yet' confirmations are retried", async () => {
    const deletes: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "DELETE" && /\/api\/uploads\//.test(request.url())) deletes.push(request.url());
    });
    const receipts = failNext(wallet, "eth_getTransactionReceipt", 3);
    let conflicts = 0;
    await page.route("**/api/uploads/*/confirm", async (route) => {
      if (conflicts < 2) {
        conflicts += 1;
        return route.fulfill(apiError(409, "conflict", "Record 1 is not on chain; wait for the transaction to be mined."));
      }
      return route.continue();
    });
    await uploadRecord(page, xray);
    await page.unrouteAll();
    assert.equal(receipts.failed(), 3, "the receipt lookups failed three times");
    assert.equal(conflicts, 2, "two confirmations were answered 409 and retried");
    assert.deepEqual(deletes, [], "the upload was never deleted");
    await page.getByTestId("record-item").nth(2).waitFor();
    assert.deepEqual(await titles(page), [xray.title, discharge.title, labResult.title]);

    // The key store stays unreachable: the record id is shown with "Retry confirmation", nothing is deleted.
    await page.route("**/api/uploads/*/confirm", (route) => route.fulfill(apiError(503, "unavailable", "The key store is unavailable.")));
    await page.getByRole("button", { name: "Upload a PDF" }).first().click();
    await fillUpload(page, vaccination);
    const pending = page.getByTestId("confirm-error");
    await pending.waitFor({ timeout: 45_000 });
    const recordId = await pending.getByTestId("pending-record-id").innerText();
    assert.match(recordId, /^\d+$/);
    assert.match(await pending.innerText(), new RegExp(`record id ${recordId}[\\s\\S]*The key store is unavailable`));
    assert.equal(await page.getByRole("button", { name: "Encrypt and upload" }).count(), 0, "no second upload of a recorded file");
    assert.deepEqual(deletes, [], "the upload was never deleted");
    const sentBefore = wallet.requests.filter((method) => method === "eth_sendTransaction").length;
    await page.unrouteAll();
    await pending.getByRole("button", { name: "Retry confirmation" }).click();
    await page.getByRole("status").filter({ hasText: `“${vaccination.title}” was encrypted, stored and recorded on chain.` }).waitFor();
    assert.equal(wallet.requests.filter((method) => method === "eth_sendTransaction").length, sentBefore, "the retry signs nothing");
    await page.getByTestId("record-item").nth(3).waitFor();
    assert.deepEqual(await titles(page), [vaccination.title, xray.title, discharge.title, labResult.title]);
    assert.equal((await page.locator(`[data-record-id="${recordId}"]`).count()), 1);
  });

  step("a rejected addRecord leaves nothing dangling and the list unchanged", async () => {
    wallet.rejectNext.add("eth_sendTransaction");
    await page.getByRole("button", { name: "Upload a PDF" }).first().click();
    await fillUpload(page, { ...labResult, file: makePdf("Prescription: amoxicillin"), name: "rx.pdf", title: "Prescription", category: "Prescription" });
    const error = page.getByTestId("upload-error");
    await error.waitFor();
    assert.match(await error.innerText(), /You rejected the transaction in your wallet/);
    assert.match(await error.innerText(), /removed and nothing was recorded/);
    // This patient's rows only: other test files leave unfinished uploads of their own on the shared stack.
    const dangling = await db.query("SELECT count(*)::int AS n FROM uploads WHERE status <> 'confirmed' AND patient = $1", [account]);
    assert.equal((dangling.rows[0] as { n: number }).n, 0, "no pending upload rows");
    const pendingKeys = await db.query("SELECT count(*)::int AS n FROM wrapped_keys WHERE status = 'pending' AND recipient = $1", [account]);
    assert.equal((pendingKeys.rows[0] as { n: number }).n, 0, "no pending wrapped keys");
    await page.getByTestId("upload-form").getByRole("button", { name: "Cancel" }).click();
    assert.deepEqual(await titles(page), [vaccination.title, xray.title, discharge.title, labResult.title]);
    await context.close();
  });

  step("restores the key from the backup file in a fresh browser and opens the record again", async () => {
    const fresh = await openPortal();
    const restore = fresh.page.getByTestId("restore");
    await restore.waitFor();
    // A corrupt file: a clear message, and nothing stored.
    await restore.getByLabel("Backup file").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{not json") });
    await restore.getByLabel("Passphrase").fill(PASSPHRASE);
    await restore.getByRole("button", { name: "Restore key" }).click();
    await restore.getByText(/damaged or is not an EHR key backup/).waitFor();
    // The right file with a wrong passphrase.
    await restore.getByLabel("Backup file").setInputFiles(backupPath);
    await restore.getByLabel("Passphrase").fill("not the passphrase at all");
    await restore.getByRole("button", { name: "Restore key" }).click();
    await restore.getByText(/passphrase does not open this key/).waitFor();
    await fresh.page.reload();
    await fresh.page.getByTestId("restore").waitFor();
    // Then the right passphrase.
    await restore.getByLabel("Backup file").setInputFiles(backupPath);
    await restore.getByLabel("Passphrase").fill(PASSPHRASE);
    await restore.getByRole("button", { name: "Restore key" }).click();
    await fresh.page.getByTestId("key-unlocked").waitFor();
    await fresh.page.getByTestId("record-item").nth(1).waitFor();
    await openAndCheck(fresh.page, labResult);
    // The key now lives in this browser: after a reload it only needs the passphrase.
    await fresh.page.reload();
    const unlock = fresh.page.getByTestId("unlock");
    await unlock.waitFor();
    await unlock.getByLabel("Passphrase").fill(PASSPHRASE);
    await unlock.getByRole("button", { name: "Unlock" }).click();
    await fresh.page.getByTestId("key-unlocked").waitFor();
    await fresh.context.close();
  });

  step("ends the session when the wallet switches account", async () => {
    const fresh = await openPortal();
    await fresh.page.getByTestId("unlock").or(fresh.page.getByTestId("restore")).waitFor();
    await fresh.wallet.switchAccount(stack.accounts[11]!);
    await fresh.page.getByRole("button", { name: "Sign in with Ethereum" }).waitFor();
    await fresh.page.getByText("Your wallet switched account, so you were signed out.").waitFor();
    const session = await fresh.page.evaluate(async () => (await fetch("/api/auth/session")).status);
    assert.equal(session, 401);
    await fresh.context.close();
  });
});
