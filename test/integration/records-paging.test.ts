import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { loadMyRecordsPage, RECORDS_PAGE_SIZE, recordIdOf } from "@/lib/records/client/list";
import { signedInClient, type ApiClient } from "../support/api/api-client";
import { addRecord, registerPatient } from "../support/api/chain";
import { nodeBrowserChain } from "../support/api/chain-identities";
import { testKeys } from "../support/api/fixtures";
import { recordMetadata, storeRecordThroughApi } from "../support/api/records";
import { stackUnderTest } from "../support/stack-env";

// "My records", a page at a time (lib/records/client/list.ts loadMyRecordsPage), as the patient's browser runs
// it: the chain's records of the page joined with the key store's answer for their ids, decrypted here.
const stack = stackUnderTest();
const patient = stack.accounts[65]!.toLowerCase();
const keys = testKeys();
const unlocked = { address: patient, publicKey: keys.publicKey, publicKeyHex: keys.publicKeyHex, secretKey: keys.secretKey };
const STORED = RECORDS_PAGE_SIZE + 2; // through the upload API; then one more on chain only
let client: ApiClient;
const nodeFetch = globalThis.fetch;

before(async () => {
  await registerPatient(patient, keys.publicKeyHex);
  client = await signedInClient(patient);
  for (let index = 0; index < STORED; index++) {
    assert.equal(await storeRecordThroughApi(client, patient, keys.publicKey, recordMetadata(`Visit ${index}`)), recordIdOf(patient, index));
  }
  // A record on chain that the key store knows nothing of (e.g. added by another app): listed, not openable.
  await addRecord(patient, patient, `0x${randomBytes(32).toString("hex")}`, 0x55);
  // The browser's relative API calls, sent to the test app with the patient's cookie.
  globalThis.fetch = ((input: RequestInfo | URL, init: RequestInit = {}) => {
    if (typeof input !== "string" || !input.startsWith("/")) return nodeFetch(input, init);
    const headers = new Headers(init.headers);
    headers.set("cookie", client.cookie!);
    headers.set("origin", stack.appUrl);
    return nodeFetch(new URL(input, stack.appUrl), { ...init, headers });
  }) as typeof fetch;
});

after(() => {
  globalThis.fetch = nodeFetch;
});

describe("My records, a page at a time", () => {
  it("the first page holds the newest RECORDS_PAGE_SIZE records, newest first, each joined with its decrypted metadata", async () => {
    const chain = await nodeBrowserChain(patient);
    const page = await loadMyRecordsPage(chain, unlocked);
    const total = STORED + 1;
    assert.equal(page.total, total);
    assert.equal(page.next, total - RECORDS_PAGE_SIZE);
    assert.deepEqual(
      page.entries.map((entry) => entry.chain.index),
      Array.from({ length: RECORDS_PAGE_SIZE }, (_, i) => total - 1 - i),
    );
    const [chainOnly, ...stored] = page.entries;
    assert.deepEqual([chainOnly!.status, chainOnly!.status === "unavailable" && chainOnly!.reason], ["unavailable", "The key store has no key for this record."]);
    for (const entry of stored) {
      assert.equal(entry.status, "ok");
      if (entry.status === "ok") assert.equal(entry.metadata.title, `Visit ${entry.chain.index}`, "each record's own metadata, matched by id");
    }
  });

  it("the next page continues before the first one and ends at the first record; a page past the start is empty", async () => {
    const chain = await nodeBrowserChain(patient);
    const first = await loadMyRecordsPage(chain, unlocked);
    const second = await loadMyRecordsPage(chain, unlocked, { before: first.next, total: first.total });
    assert.deepEqual(
      second.entries.map((entry) => [entry.chain.index, entry.status === "ok" && entry.metadata.title]),
      Array.from({ length: first.next }, (_, i) => [first.next - 1 - i, `Visit ${first.next - 1 - i}`]),
    );
    assert.equal(second.next, 0);
    assert.deepEqual((await loadMyRecordsPage(chain, unlocked, { before: 0, total: first.total })).entries, []);
  });

  it("a smaller limit gives a smaller page of the same order", async () => {
    const chain = await nodeBrowserChain(patient);
    const page = await loadMyRecordsPage(chain, unlocked, { limit: 3 });
    assert.deepEqual(
      page.entries.map((entry) => entry.chain.index),
      [STORED, STORED - 1, STORED - 2],
    );
    assert.equal(page.next, STORED + 1 - 3);
  });
});
