/**
 * Key rotation and re-encryption in the browser, as one story (accounts 50-53):
 * - the patient rotates their key and still opens every record; a doctor holding an all-records grant still opens;
 * - that doctor rotates their key and still opens;
 * - a patient rotation whose page is closed right after the chain transaction is mined is finished on the next
 *   visit by the key gate, and everything still opens;
 * - a re-encryption whose amendment is rejected in the wallet changes nothing and leaves no upload behind; one
 *   whose last step fails keeps the old copy and is finished by running it again;
 * - after revoking a doctor, the patient re-encrypts a record: a new CID on chain (amendRecord), the old ciphertext
 *   no longer stored, the revoked doctor's old wrapped key opens nothing still stored, a per-record reader keeps a
 *   grant on the new record with the same expiry, and the patient and the all-records doctor open the new record
 *   with the original bytes;
 * - a doctor whose all-records grant excludes one record (revoked from that record only) gets no key when it is
 *   re-encrypted, and the new record is revoked for them on chain too (right after amendRecord); their other records
 *   stay readable. That re-encryption is interrupted before the key store confirms the new record (the page is
 *   closed): the next visit's run confirms the upload this device remembered and finishes.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import type { TestWallet } from "../support/test-wallet";
import { Web3 } from "web3";
import { decryptBytes, unwrapKey } from "@/lib/crypto";
import { patientContractAbi, doctorContractAbi } from "@/lib/chain/generated/contracts";
import { makePdf } from "../support/pdf-fixtures";
import { stackUnderTest } from "../support/stack-env";
import { createKeyOnFirstVisit, downloadInto, grantFromShareTab, storySession, storySteps, unlockKey, type UploadFields, uploadFromMyRecords } from "../support/story";
import { signedInClient } from "../support/api/api-client";
import { chainCanRead, grantAllAccess, logAccess, registerDoctor, revokeAccess } from "../support/api/chain";
import { testKeys, withDatabase } from "../support/api/fixtures";

const stack = stackUnderTest();
const admin = stack.accounts[0]!.toLowerCase();
const patient = stack.accounts[50]!.toLowerCase();
const alma = stack.accounts[51]!.toLowerCase(); // all-records grant, rotates in the browser
const bram = stack.accounts[52]!.toLowerCase(); // per-record grant, then revoked
const cleo = stack.accounts[53]!.toLowerCase(); // per-record grant, kept
const dana = stack.accounts[67]!.toLowerCase(); // all-records grant, revoked from one record
const PASSPHRASE = "rotate every key battery 42";
const ALMA = { name: "Dr Alma Rotor", specialty: "Rotation cardiology" };
const BRAM = { name: "Dr Bram Revokee", specialty: "Rotation neurology" };
const CLEO = { name: "Dr Cleo Keeper", specialty: "Rotation dermatology" };
const DANA = { name: "Dr Dana Excluded", specialty: "Rotation nephrology" };

const record = (title: string, category: string, text: string): UploadFields => ({
  file: makePdf(text),
  name: `${title.toLowerCase().replace(/\W+/g, "-")}.pdf`,
  title,
  category,
  hospital: "Rotation Hospital",
  reason: "Follow-up",
  admission: "2025-05-06",
  discharge: "2025-05-07",
});
const ecg = record("Rotation ECG", "Lab result", "ECG: sinus rhythm, 62 bpm");
const mri = record("Rotation MRI", "Imaging", "MRI: no lesion");

const session = storySession("key-rotation");

let chainCache: { patient: InstanceType<Web3["eth"]["Contract"]>; doctor: InstanceType<Web3["eth"]["Contract"]> } | undefined;
async function contracts() {
  if (!chainCache) {
    const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: Record<string, { address: string }> } };
    const web3 = new Web3(stack.rpcUrl);
    chainCache = {
      patient: new web3.eth.Contract(patientContractAbi, health.chain.contracts.PatientContract!.address) as never,
      doctor: new web3.eth.Contract(doctorContractAbi, health.chain.contracts.DoctorContract!.address) as never,
    };
  }
  return chainCache as unknown as { patient: { methods: Record<string, (...args: unknown[]) => { call: () => Promise<unknown> }> }; doctor: { methods: Record<string, (...args: unknown[]) => { call: () => Promise<unknown> }> } };
}
const patientKeyOnChain = async () => String(await (await contracts()).patient.methods.encryptionKeyOf!(patient).call()).toLowerCase();
const doctorKeyOnChain = async (doctor: string) => String(((await (await contracts()).doctor.methods.getDoctor!(doctor).call()) as { encryptionKey: string }).encryptionKey).toLowerCase();
const keyStoreKey = async (address: string) => ((await (await fetch(new URL(`/api/keys/${address}`, stack.appUrl))).json()) as { publicKey: string }).publicKey;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The patient opens a record from "My records" (the open record with that title) and downloads its bytes. */
async function patientOpens(page: Page, entry: UploadFields, name: string): Promise<Buffer> {
  await page.getByRole("tab", { name: "My records" }).click();
  await page.getByRole("button", { name: `Open ${entry.title}` }).click();
  await page.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
  const bytes = await downloadInto(page, () => page.getByRole("button", { name: "Download" }).click(), session.folder, name);
  await page.getByRole("button", { name: /^Back/ }).first().click();
  return bytes;
}

/** A doctor opens a patient's record (logged on chain first) and downloads its bytes. */
async function doctorOpens(page: Page, entry: UploadFields, name: string): Promise<Buffer> {
  await page.getByRole("button", { name: "Refresh" }).click();
  await page.locator(`[data-testid="patient-item"][data-patient="${patient}"]`).click();
  await page.getByRole("button", { name: `Open ${entry.title}` }).click();
  await page.locator('[data-testid="pdf-status"][data-status="ready"]').waitFor();
  const bytes = await downloadInto(page, () => page.getByRole("button", { name: "Download" }).click(), session.folder, name);
  await page.getByRole("button", { name: "Back to my patients" }).click();
  return bytes;
}

/** Rotates from an unlocked portal: passphrase, progress, new backup downloaded, then unlock with the new key. */
async function rotate(page: Page, backupName: string): Promise<{ publicKey: string }> {
  const panel = page.getByTestId("rotate-key");
  await panel.getByLabel("Your passphrase").fill(PASSPHRASE);
  await panel.getByRole("button", { name: "Rotate my key" }).click();
  const done = page.getByTestId("rotation-done");
  await done.waitFor();
  const backup = JSON.parse((await downloadInto(page, () => done.getByRole("button", { name: "Download the new backup file" }).click(), session.folder, backupName)).toString("utf8")) as { publicKey: string };
  await done.getByRole("button", { name: "Continue with the new key" }).click();
  await unlockKey(page, PASSPHRASE);
  return { publicKey: backup.publicKey.toLowerCase() };
}

const step = storySteps();

describe("key rotation and re-encryption", () => {
  let patientContext: BrowserContext;
  let patientPage: Page;
  let patientWallet: TestWallet;
  let almaPage: Page;
  const bramKeys = testKeys();
  const cleoKeys = testKeys();
  const ids: Record<string, string> = {};

  step("doctors registered; Alma creates her key in the browser, Bram and Cleo publish theirs", async () => {
    await registerDoctor(admin, alma, undefined, ALMA);
    await registerDoctor(admin, bram, bramKeys.publicKeyHex, BRAM);
    await registerDoctor(admin, cleo, cleoKeys.publicKeyHex, CLEO);
    for (const [account, keys] of [[bram, bramKeys], [cleo, cleoKeys]] as const) {
      assert.equal((await (await signedInClient(account)).put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } })).status, 200);
    }
    const opened = await session.open(alma, "/doctor", "doctor");
    almaPage = opened.page;
    await createKeyOnFirstVisit(almaPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "alma-backup.json" });
  });

  step("the patient uploads two records, grants Alma all records, Bram and Cleo the ECG for 7 days", async () => {
    const opened = await session.open(patient, "/patient", "patient");
    ({ context: patientContext, page: patientPage, wallet: patientWallet } = opened);
    await createKeyOnFirstVisit(patientPage, { passphrase: PASSPHRASE, folder: session.folder, backupName: "patient-backup.json" });
    for (const entry of [ecg, mri]) await uploadFromMyRecords(patientPage, entry);
    await patientPage.getByTestId("record-item").nth(1).waitFor();
    for (const item of await patientPage.getByTestId("record-item").all()) ids[await item.getByTestId("record-title").innerText()] = (await item.getAttribute("data-record-id"))!;
    await grantFromShareTab(patientPage, `${ALMA.name}, ${ALMA.specialty}`, "all", "No expiry");
    await grantFromShareTab(patientPage, `${BRAM.name}, ${BRAM.specialty}`, { records: [ecg.title] }, "7 days");
    await grantFromShareTab(patientPage, `${CLEO.name}, ${CLEO.specialty}`, { records: [ecg.title] }, "7 days");
  });

  step("the patient rotates their key: new key on chain and in the key store, every record still opens", async () => {
    const before = await patientKeyOnChain();
    await patientPage.getByRole("tab", { name: "Keys" }).click();
    const { publicKey } = await rotate(patientPage, "patient-rotated.json");
    assert.notEqual(publicKey, before);
    assert.equal(await patientKeyOnChain(), publicKey, "the new key is on chain");
    assert.equal(await keyStoreKey(patient), publicKey, "and in the key store");
    for (const entry of [ecg, mri]) assert.ok((await patientOpens(patientPage, entry, `${entry.name}`)).equals(entry.file), `${entry.title} still opens`);
  });

  step("Alma, granted all records, still opens the patient's record", async () => {
    assert.ok((await doctorOpens(almaPage, mri, "alma-mri.pdf")).equals(mri.file));
  });

  step("Alma rotates her doctor key and still opens", async () => {
    const before = await doctorKeyOnChain(alma);
    const { publicKey } = await rotate(almaPage, "alma-rotated.json");
    assert.notEqual(publicKey, before);
    assert.equal(await doctorKeyOnChain(alma), publicKey);
    assert.equal(await keyStoreKey(alma), publicKey);
    assert.ok((await doctorOpens(almaPage, ecg, "alma-ecg.pdf")).equals(ecg.file));
  });

  step("a rotation whose page is closed right after the chain transaction is finished on the next visit", async () => {
    const before = await patientKeyOnChain();
    await patientPage.getByRole("tab", { name: "Keys" }).click();
    // The swap request never gets an answer: the page is closed once the transaction is mined.
    await patientPage.route("**/api/keys/rotation/complete", () => undefined);
    const panel = patientPage.getByTestId("rotate-key");
    await panel.getByLabel("Your passphrase").fill(PASSPHRASE);
    await panel.getByRole("button", { name: "Rotate my key" }).click();
    for (let i = 0; (await patientKeyOnChain()) === before; i++) {
      assert.ok(i < 600, "the rotation reached the chain");
      await sleep(100);
    }
    const newKey = await patientKeyOnChain();
    await patientPage.close();
    assert.equal(await keyStoreKey(patient), before, "the key store still holds the old key: nothing was swapped");

    patientPage = await patientContext.newPage();
    await patientPage.goto(new URL("/patient", stack.appUrl).toString());
    // This browser connected and signed in before: the wallet and the session may come back on their own.
    const connect = patientPage.getByTestId("wallet-gate").getByRole("button", { name: "Connect wallet" });
    const signIn = patientPage.getByRole("button", { name: "Sign in with Ethereum" });
    const finish = patientPage.getByTestId("finish-rotation");
    await connect.or(signIn).or(finish).first().waitFor();
    if (await connect.isVisible()) await connect.click();
    await signIn.or(finish).first().waitFor();
    if (await signIn.isVisible()) await signIn.click();
    await patientPage.locator('[data-testid="finish-rotation"][data-reached-chain="true"]').waitFor();
    await finish.getByLabel("Passphrase").fill(PASSPHRASE);
    await finish.getByRole("button", { name: "Finish the rotation" }).click();
    const done = patientPage.getByTestId("rotation-done");
    await done.waitFor();
    const backup = JSON.parse((await downloadInto(patientPage, () => done.getByRole("button", { name: "Download the new backup file" }).click(), session.folder, "finished.json")).toString("utf8")) as { publicKey: string };
    assert.equal(backup.publicKey.toLowerCase(), newKey);
    await done.getByRole("button", { name: "Continue" }).click();
    await patientPage.getByTestId("key-unlocked").waitFor();
    assert.equal(await keyStoreKey(patient), newKey, "the key store switched once the rotation finished");
    for (const entry of [ecg, mri]) assert.ok((await patientOpens(patientPage, entry, `finished-${entry.name}`)).equals(entry.file));
    assert.ok((await doctorOpens(almaPage, ecg, "alma-ecg-2.pdf")).equals(ecg.file), "Alma still opens");
  });

  step("after revoking Bram, the patient re-encrypts the ECG: Bram's old key opens nothing still stored", async () => {
    const oldId = ids[ecg.title]!;
    // Bram opened the ECG once and kept its wrapped key.
    await logAccess(bram, oldId);
    const bramApi = await signedInClient(bram);
    const kept = (await bramApi.get(`/api/records/${oldId}/key`)).body as { wrappedKey: string; cid: string };
    const bramDataKey = unwrapKey(Buffer.from(kept.wrappedKey, "base64"), bramKeys.secretKey);
    const cleoExpiry = ((await (await contracts()).patient.methods.getGrants!(patient, cleo, 0, 10).call()) as Array<{ recordId: bigint; expiresAt: bigint }>).find((g) => BigInt(g.recordId).toString() === oldId)!.expiresAt;

    await patientPage.getByRole("tab", { name: "Who can see what" }).click();
    const card = patientPage.locator(`[data-testid="share-doctor"][data-address="${bram}"]`);
    await card.getByRole("button", { name: "Revoke all access" }).click();
    await card.waitFor({ state: "detached" });

    await patientPage.getByRole("tab", { name: "Keys" }).click();
    const panel = patientPage.getByTestId("reencrypt");

    // A re-encryption whose amendment is rejected in the wallet changes nothing and leaves nothing behind.
    patientWallet.rejectNext.add("eth_sendTransaction");
    await panel.getByRole("checkbox", { name: mri.title }).check();
    await panel.getByRole("button", { name: "Re-encrypt the chosen records" }).click();
    const failed = panel.locator(`[data-testid="reencrypt-item"][data-record-id="${ids[mri.title]}"][data-state="failed"]`);
    await failed.waitFor();
    assert.match(await failed.innerText(), /Nothing changed/);
    const leftovers = await withDatabase(async (db) => (await db.query("SELECT 1 FROM uploads WHERE patient = $1 AND status <> 'confirmed'", [patient])).rowCount);
    assert.equal(leftovers, 0, "the new copy was removed");
    assert.equal(BigInt(((await (await contracts()).patient.methods.getRecord!(ids[mri.title]).call()) as { supersededBy: bigint }).supersededBy), 0n);

    // One whose last step (removing the old copy) fails keeps the old copy; running it again finishes it.
    await patientPage.route("**/api/records/reencrypt/*/retire", (route) => route.abort());
    await panel.getByRole("checkbox", { name: mri.title }).check();
    await panel.getByRole("button", { name: "Re-encrypt the chosen records" }).click();
    const halfway = panel.locator(`[data-testid="reencrypt-item"][data-record-id="${ids[mri.title]}"][data-state="failed"]`);
    await halfway.waitFor();
    assert.match(await halfway.innerText(), /is ready, but the old copy could not be removed yet/);
    await patientPage.unrouteAll();
    await panel.getByRole("checkbox", { name: /Rotation MRI \(amended by record/ }).check();
    await panel.getByRole("button", { name: "Re-encrypt the chosen records" }).click();
    await panel.locator(`[data-testid="reencrypt-item"][data-record-id="${ids[mri.title]}"][data-state="done"]`).waitFor();
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE record_id = $1", [ids[mri.title]])).rowCount), 0);

    await panel.getByRole("checkbox", { name: ecg.title }).check();
    await panel.getByRole("button", { name: "Re-encrypt the chosen records" }).click();
    const item = panel.locator(`[data-testid="reencrypt-item"][data-record-id="${oldId}"]`);
    await panel.locator(`[data-testid="reencrypt-item"][data-record-id="${oldId}"][data-state="done"]`).waitFor({ timeout: 120_000 });
    const newId = (await item.getAttribute("data-new-record-id"))!;
    ids.reencryptedEcg = newId;
    assert.match(await item.innerText(), /old copy was removed/);

    // On chain: the old record is amended by the new one, which names another file.
    const { patient: contract } = await contracts();
    const oldOnChain = (await contract.methods.getRecord!(oldId).call()) as { supersededBy: bigint; cidDigest: string };
    const newOnChain = (await contract.methods.getRecord!(newId).call()) as { cidDigest: string };
    assert.equal(BigInt(oldOnChain.supersededBy).toString(), newId);
    assert.notEqual(newOnChain.cidDigest, oldOnChain.cidDigest);

    // The old ciphertext is no longer stored, nor any key for it.
    const stored = await withDatabase(async (db) => ({
      old: (await db.query("SELECT 1 FROM records WHERE cid = $1 UNION ALL SELECT 1 FROM uploads WHERE cid = $1", [kept.cid])).rowCount,
      oldKeys: (await db.query("SELECT 1 FROM wrapped_keys WHERE record_id = $1", [oldId])).rowCount,
      records: (await db.query<{ record_id: string }>("SELECT record_id::text AS record_id FROM records WHERE patient = $1", [patient])).rows.map((row) => row.record_id),
      newReaders: (await db.query<{ recipient: string }>("SELECT recipient FROM wrapped_keys WHERE record_id = $1 ORDER BY recipient", [newId])).rows.map((row) => row.recipient),
    }));
    assert.equal(stored.old, 0, "the old CID is held by no record or upload");
    assert.equal(stored.oldKeys, 0, "every key of the old record is deleted");
    assert.deepEqual(stored.newReaders, [alma, cleo, patient].sort(), "wrapped only for the current readers");
    const patientApi = await signedInClient(patient);
    const gone = await patientApi.fetch("GET", `/api/records/${oldId}/content`);
    assert.equal(gone.status, 404, "the old content is not served");

    // Bram's old data key opens none of the patient's stored records.
    for (const recordId of stored.records) {
      const content = new Uint8Array(await (await patientApi.fetch("GET", `/api/records/${recordId}/content`)).arrayBuffer());
      await assert.rejects(decryptBytes(bramDataKey, content), `record ${recordId} does not open with Bram's old key`);
    }

    // Cleo keeps her per-record access on the new record, with the same expiry, and opens it.
    const cleoGrant = ((await contract.methods.getGrants!(patient, cleo, 0, 10).call()) as Array<{ recordId: bigint; expiresAt: bigint; readable: boolean; allRecords: boolean }>).find(
      (g) => BigInt(g.recordId).toString() === newId,
    )!;
    assert.equal(cleoGrant.readable, true);
    assert.equal(cleoGrant.allRecords, false);
    assert.equal(BigInt(cleoGrant.expiresAt), BigInt(cleoExpiry));
    await logAccess(cleo, newId);
    const cleoApi = await signedInClient(cleo);
    const cleoKey = (await cleoApi.get(`/api/records/${newId}/key`)).body as { wrappedKey: string };
    const cleoContent = new Uint8Array(await (await cleoApi.fetch("GET", `/api/records/${newId}/content`)).arrayBuffer());
    const cleoData = unwrapKey(Buffer.from(cleoKey.wrappedKey, "base64"), cleoKeys.secretKey);
    assert.ok(Buffer.from(await decryptBytes(cleoData, cleoContent)).equals(ecg.file), "Cleo's copy equals the original");
    // Bram is refused the new record.
    assert.equal((await bramApi.get(`/api/records/${newId}/key`)).status, 403);

    // The patient and Alma open the new record: the same bytes; the MRI whose re-encryption failed still opens.
    assert.ok((await patientOpens(patientPage, ecg, "reencrypted-ecg.pdf")).equals(ecg.file));
    assert.ok((await patientOpens(patientPage, mri, "kept-mri.pdf")).equals(mri.file));
    assert.ok((await doctorOpens(almaPage, ecg, "alma-reencrypted-ecg.pdf")).equals(ecg.file));
  });

  step("a doctor revoked from one record of an all-records grant gets no key on its re-encryption, nor the new record on chain; an interrupted confirmation is finished on the next visit", async () => {
    const danaKeys = testKeys();
    await registerDoctor(admin, dana, danaKeys.publicKeyHex, DANA);
    assert.equal((await (await signedInClient(dana)).put("/api/keys/me", { json: { publicKey: danaKeys.publicKeyHex } })).status, 200);
    const { patient: contract } = await contracts();
    const ecgId = ids.reencryptedEcg!;
    const mriId = BigInt(((await contract.methods.getRecord!(ids[mri.title]).call()) as { supersededBy: bigint }).supersededBy).toString();
    await grantAllAccess(patient, dana);
    await revokeAccess(patient, dana, [ecgId]);
    assert.equal(await chainCanRead(dana, ecgId), false, "Dana is revoked from the ECG");
    assert.equal(await chainCanRead(dana, mriId), true, "and reads the MRI by her all-records grant");

    // The key store never confirms the new record in this visit: the run stops after amendRecord.
    await patientPage.route("**/api/uploads/*/confirm", (route) => route.abort());
    await patientPage.getByRole("tab", { name: "Keys" }).click();
    let panel = patientPage.getByTestId("reencrypt");
    await panel.getByRole("checkbox", { name: ecg.title }).check();
    await panel.getByRole("button", { name: "Re-encrypt the chosen records" }).click();
    const stopped = panel.locator(`[data-testid="reencrypt-item"][data-record-id="${ecgId}"][data-state="failed"]`);
    await stopped.waitFor({ timeout: 120_000 });
    assert.match(await stopped.innerText(), /could not confirm the new record/);
    const amendedBy = BigInt(((await contract.methods.getRecord!(ecgId).call()) as { supersededBy: bigint }).supersededBy).toString();
    assert.notEqual(amendedBy, "0", "the amendment is on chain");
    assert.equal(await chainCanRead(dana, amendedBy), false, "Dana was revoked from the new record right after the amendment");

    // The page is closed; the next visit finishes the re-encryption with the upload this device kept.
    await patientPage.close();
    patientPage = await patientContext.newPage();
    await patientPage.goto(new URL("/patient", stack.appUrl).toString());
    const connect = patientPage.getByTestId("wallet-gate").getByRole("button", { name: "Connect wallet" });
    const signIn = patientPage.getByRole("button", { name: "Sign in with Ethereum" });
    const gate = patientPage.getByTestId("unlock");
    await connect.or(signIn).or(gate).first().waitFor();
    if (await connect.isVisible()) await connect.click();
    await signIn.or(gate).first().waitFor();
    if (await signIn.isVisible()) await signIn.click();
    await unlockKey(patientPage, PASSPHRASE);
    await patientPage.getByRole("tab", { name: "Keys" }).click();
    panel = patientPage.getByTestId("reencrypt");
    await panel.getByRole("checkbox", { name: /Rotation ECG \(amended by record/ }).check();
    await panel.getByRole("button", { name: "Re-encrypt the chosen records" }).click();
    const item = panel.locator(`[data-testid="reencrypt-item"][data-record-id="${ecgId}"]`);
    await panel.locator(`[data-testid="reencrypt-item"][data-record-id="${ecgId}"][data-state="done"]`).waitFor({ timeout: 120_000 });
    const newId = (await item.getAttribute("data-new-record-id"))!;
    assert.equal(newId, amendedBy);
    assert.equal(await withDatabase(async (db) => (await db.query("SELECT 1 FROM wrapped_keys WHERE record_id = $1", [ecgId])).rowCount), 0, "the old copy was retired");
    assert.match(await item.innerText(), new RegExp(`Revoked from the new record too: ${dana}`));

    const newReaders = await withDatabase(async (db) => (await db.query<{ recipient: string }>("SELECT recipient FROM wrapped_keys WHERE record_id = $1 ORDER BY recipient", [newId])).rows.map((row) => row.recipient));
    assert.deepEqual(newReaders, [alma, cleo, patient].sort(), "no key wrapped for Dana on the new record");
    assert.equal(await chainCanRead(dana, newId), false, "the chain does not let Dana read the new record");
    const danaGrant = ((await contract.methods.getGrants!(patient, dana, 0, 20).call()) as Array<{ recordId: bigint; granted: boolean; allRecords: boolean }>).find(
      (g) => BigInt(g.recordId).toString() === newId,
    )!;
    assert.deepEqual([danaGrant.granted, danaGrant.allRecords], [false, false], "the new record is excluded from Dana's all-records grant");
    assert.equal((await (await signedInClient(dana)).get(`/api/records/${newId}/key`)).status, 403);
    assert.equal(await chainCanRead(dana, mriId), true, "Dana still reads the MRI");
    assert.equal(await chainCanRead(alma, newId), true, "Alma reads the new record by her all-records grant");
    assert.ok((await patientOpens(patientPage, ecg, "excluded-ecg.pdf")).equals(ecg.file));
  });

  step("on a device without the key, the restore screen says what a lost key can and cannot recover", async () => {
    const fresh = await session.open(patient, "/patient", "patient");
    await fresh.page.getByTestId("restore").waitFor();
    const help = fresh.page.getByTestId("lost-key-help");
    await help.getByText("Lost your old key?").click();
    assert.match(await help.innerText(), /cannot be recovered without the old key or a backup file/);
  });
});
