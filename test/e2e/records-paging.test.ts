import assert from "node:assert/strict";
import { describe } from "node:test";
import { publicKeyFromHex } from "@/lib/crypto";
import { signedInClient } from "../support/api/api-client";
import { recordMetadata, storeRecordThroughApi } from "../support/api/records";
import { stackUnderTest } from "../support/stack-env";
import { createKeyOnFirstVisit, storySession, storySteps, unlockKey } from "../support/story";

// "My records" in the browser, ten at a time: the newest page first, then "Load more" for older ones.
const stack = stackUnderTest();
const account = stack.accounts[66]!.toLowerCase();
const PASSPHRASE = "paging passphrase 12345";
const RECORDS = 12;

const session = storySession("records-paging");

const step = storySteps();

describe("My records in the browser, a page at a time", () => {
  step("a patient with 12 records sees the newest 10, and all 12, oldest last, after Load more", async () => {
    const { context, page } = await session.open(account, "/patient", "patient");
    try {
      await createKeyOnFirstVisit(page, { passphrase: PASSPHRASE, folder: session.folder, backupName: "backup.json" });
      await page.getByTestId("records-empty").waitFor();
      // Records stored for the key this browser made (as the key store publishes it), through the API and the chain.
      const published = (await (await fetch(new URL(`/api/keys/${account}`, stack.appUrl))).json()) as { publicKey: string };
      const client = await signedInClient(account);
      for (let i = 0; i < RECORDS; i++) await storeRecordThroughApi(client, account, publicKeyFromHex(published.publicKey), recordMetadata(`Visit ${i}`));
      await page.reload();
      await unlockKey(page, PASSPHRASE);
      const titles = page.getByTestId("record-title");
      await titles.nth(9).waitFor();
      const newest = Array.from({ length: RECORDS }, (_, i) => `Visit ${RECORDS - 1 - i}`);
      assert.deepEqual(await titles.allInnerTexts(), newest.slice(0, 10));
      await page.getByTestId("records-more").getByRole("button", { name: "Load more" }).click();
      await titles.nth(RECORDS - 1).waitFor();
      assert.deepEqual(await titles.allInnerTexts(), newest);
      assert.equal(await page.getByTestId("records-more").count(), 0, "nothing older is left to load");
    } finally {
      await context.close();
    }
  });
});
