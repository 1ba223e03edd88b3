import assert from "node:assert/strict";
import { describe } from "node:test";
import { publicKeyFromHex } from "@/lib/crypto";
import { signedInClient } from "../support/api/api-client";
import { freshAccount } from "../support/api/chain-identities";
import { grantAllAccess, registerDoctor, registerPatient } from "../support/api/chain";
import { testKeys } from "../support/api/fixtures";
import { recordMetadata, storeRecordThroughApi } from "../support/api/records";
import { stackUnderTest } from "../support/stack-env";
import { createKeyOnFirstVisit, storySession, storySteps, unlockKey } from "../support/story";

// "My records" and "My patients" in the browser, ten at a time: the newest page first, then "Load more" for
// older ones. Accounts 66 (the patient) and 68 (the doctor) belong to this file; the doctor's patients are
// accounts made for this run (imported into Ganache, funded by 68), so no other file's are touched.
const stack = stackUnderTest();
const account = stack.accounts[66]!.toLowerCase();
const doctor = stack.accounts[68]!.toLowerCase();
const PASSPHRASE = "paging passphrase 12345";
const RECORDS = 12;
const PATIENTS = 11;

/** A new account (funded by the doctor), registered as a patient. */
async function newPatient(): Promise<string> {
  const address = (await freshAccount(doctor)).toLowerCase();
  await registerPatient(address, testKeys().publicKeyHex);
  return address;
}

const session = storySession("records-paging");

const step = storySteps();

describe("My records and My patients in the browser, a page at a time", () => {
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

  step("a doctor granted by 11 patients sees the 10 most recent, and all 11 after Load more patients", async () => {
    await registerDoctor(stack.accounts[0]!, doctor, undefined, { name: "Dr Paging", specialty: "General practice" });
    const { context, page } = await session.open(doctor, "/doctor", "doctor");
    try {
      await createKeyOnFirstVisit(page, { passphrase: PASSPHRASE, folder: session.folder, backupName: "doctor-backup.json" });
      await page.getByTestId("patients-empty").waitFor();
      const granted: string[] = [];
      for (let i = 0; i < PATIENTS; i++) {
        const patient = await newPatient();
        await grantAllAccess(patient, doctor);
        granted.unshift(patient); // most recent grant first
      }
      await page.getByRole("button", { name: "Refresh" }).click();
      const items = page.getByTestId("patient-item");
      await items.nth(9).waitFor();
      const listed = () => items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-patient")));
      assert.deepEqual(await listed(), granted.slice(0, 10));
      await page.getByTestId("patients-more").getByRole("button", { name: "Load more patients" }).click();
      await items.nth(PATIENTS - 1).waitFor();
      assert.deepEqual(await listed(), granted);
      assert.equal(await page.getByTestId("patients-more").count(), 0, "nobody earlier is left to load");
    } finally {
      await context.close();
    }
  });
});
