/** Pieces every browser story shares: story steps, a signed-in portal, downloads and the upload form. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./browser";
import { stackUnderTest } from "./stack-env";
import { makeTempDir } from "./temp-dir";
import { TestWallet } from "./test-wallet";

export const STORY_TIMEOUT_MS = 60_000;

/**
 * A story's `step`: the steps are one story, so once one fails the later ones are skipped rather than timing
 * out one by one. `onFailure` runs before the error is reported (e.g. screenshots).
 */
export function storySteps(onFailure?: () => Promise<void>) {
  let broken = false;
  return function step(name: string, run: () => Promise<void>) {
    it(name, async (t) => {
      if (broken) return t.skip("an earlier step failed");
      try {
        await run();
      } catch (error) {
        broken = true;
        await onFailure?.().catch(() => undefined);
        throw error;
      }
    });
  };
}

export type PortalRole = "admin" | "doctor" | "patient";

/** A new browser context whose injected wallet holds `account`, on `route`, connected and signed in. */
export async function openSignedIn(
  browser: Browser,
  options: { account: string; route: string; role: PortalRole },
): Promise<{ context: BrowserContext; page: Page; wallet: TestWallet }> {
  const stack = stackUnderTest();
  const wallet = new TestWallet({ rpcUrl: stack.rpcUrl, account: options.account });
  const context = await browser.newContext({ acceptDownloads: true });
  context.setDefaultTimeout(STORY_TIMEOUT_MS);
  await wallet.attach(context);
  const page = await context.newPage();
  await page.goto(new URL(options.route, stack.appUrl).toString());
  await page.getByTestId("wallet-gate").getByRole("button", { name: "Connect wallet" }).click();
  await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
  await page.getByTestId(`${options.role}-ready`).waitFor();
  return { context, page, wallet };
}

/**
 * One story file's Chromium and download folder, opened before its tests and closed after them together with
 * every context `open` made: a story that fails half-way leaves no browser or folder behind.
 */
export function storySession(name: string) {
  let browser: Browser | undefined;
  let folder: Awaited<ReturnType<typeof makeTempDir>> | undefined;
  const contexts: BrowserContext[] = [];
  before(async () => {
    browser = await launchChromium();
    folder = await makeTempDir(name);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await folder?.remove();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the story session opens in before(): use it inside a test");
    return value;
  };
  return {
    /** Where this file's downloads and key backups go. */
    get folder(): string {
      return started(folder).path;
    },
    /** `openSignedIn` on this session's browser; the context closes with the session (closing it earlier is fine). */
    async open(account: string, route: string, role: PortalRole): Promise<{ context: BrowserContext; page: Page; wallet: TestWallet }> {
      const opened = await openSignedIn(started(browser), { account, route, role });
      contexts.push(opened.context);
      return opened;
    },
    /** `open`, for a story that only drives the page. */
    async openPage(account: string, route: string, role: PortalRole): Promise<Page> {
      return (await this.open(account, route, role)).page;
    },
  };
}

/** Clicks something that downloads a file, saves it as `target`, and returns its bytes and suggested name. */
export async function downloadBytes(page: Page, click: () => Promise<void>, target: string): Promise<{ bytes: Buffer; suggested: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  await download.saveAs(target);
  return { bytes: await readFile(target), suggested: download.suggestedFilename() };
}

/** `downloadBytes` into `folder` under a unique name; only the bytes. */
export async function downloadInto(page: Page, click: () => Promise<void>, folder: string, name: string): Promise<Buffer> {
  return (await downloadBytes(page, click, path.join(folder, `${Date.now()}-${name}`))).bytes;
}

/** What the upload form asks for. */
export interface UploadFields {
  file: Buffer;
  name: string;
  title: string;
  category: string;
  hospital: string;
  reason: string;
  admission: string;
  discharge: string;
}

/** Fills the open upload form (patient's or doctor's) and submits it. */
export async function fillUploadForm(page: Page, fields: UploadFields): Promise<void> {
  const form = page.getByTestId("upload-form");
  await form.getByLabel("PDF file").setInputFiles({ name: fields.name, mimeType: "application/pdf", buffer: fields.file });
  await form.getByLabel("Title").fill(fields.title);
  await form.getByLabel("Category").selectOption({ label: fields.category });
  await form.getByLabel("Hospital name").fill(fields.hospital);
  await form.getByLabel("Admission date").fill(fields.admission);
  await form.getByLabel("Discharge date").fill(fields.discharge);
  await form.getByLabel("Reason for the visit").fill(fields.reason);
  await form.getByRole("button", { name: "Encrypt and upload" }).click();
}

/** The key gate's first visit, the same for patients and doctors: passphrase, mandatory backup (saved in `folder`), register. */
export async function createKeyOnFirstVisit(page: Page, options: { passphrase: string; folder: string; backupName: string }): Promise<void> {
  const signUp = page.getByTestId("sign-up");
  await signUp.getByLabel(/^Passphrase/).fill(options.passphrase);
  await signUp.getByLabel("Confirm passphrase").fill(options.passphrase);
  await signUp.getByRole("button", { name: "Create my key" }).click();
  const backup = page.getByTestId("backup-step");
  await downloadInto(page, () => backup.getByRole("button", { name: "Download backup file" }).click(), options.folder, options.backupName);
  await backup.getByRole("button", { name: "Continue to registration" }).click();
  await page.getByTestId("key-unlocked").waitFor();
}

/** The key gate on a later visit: the passphrase unlocks the key kept on this device. */
export async function unlockKey(page: Page, passphrase: string): Promise<void> {
  const gate = page.getByTestId("unlock");
  await gate.getByLabel("Passphrase").fill(passphrase);
  await gate.getByRole("button", { name: "Unlock" }).click();
  await page.getByTestId("key-unlocked").waitFor();
}

/** The patient uploads a record from "My records" and waits until it is recorded on chain. */
export async function uploadFromMyRecords(page: Page, entry: UploadFields): Promise<void> {
  await page.getByRole("tab", { name: "My records" }).click();
  await page.getByRole("button", { name: "Upload a PDF" }).first().click();
  await fillUploadForm(page, entry);
  await page.getByRole("status").filter({ hasText: `“${entry.title}” was encrypted, stored and recorded on chain.` }).waitFor();
}

/**
 * The patient grants from the Share tab: the doctor (found by name: the form lists 20 doctors a page and
 * the files before a story register many), chosen records or all, an expiry; reviewed and signed.
 */
export async function grantFromShareTab(page: Page, doctorOption: string, scope: { records: string[] } | "all", expiry: string): Promise<void> {
  await page.getByRole("tab", { name: "Share" }).click();
  const form = page.getByTestId("grant-form");
  await form.getByLabel("Search doctors").fill(doctorOption.split(", ")[0]!);
  await form.getByRole("radio", { name: doctorOption }).check();
  if (scope === "all") {
    await form.getByRole("radio", { name: "All records, including future ones" }).check();
  } else {
    await form.getByRole("radio", { name: "Chosen records" }).check();
    for (const title of scope.records) await form.getByRole("checkbox", { name: title, exact: true }).check();
  }
  await form.getByRole("radio", { name: expiry }).check();
  await form.getByRole("button", { name: "Review the grant" }).click();
  await page.getByTestId("grant-review").getByRole("button", { name: "Sign the grant" }).click();
  await page.getByTestId("grant-done").waitFor();
}
