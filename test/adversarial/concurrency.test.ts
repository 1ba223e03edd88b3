import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Web3 } from "web3";
import { patientContractAbi } from "@/lib/chain/generated/contracts";
import { bytesToBase64, decodeWrappedKey, unwrapKey, wrapKey } from "@/lib/crypto";
import { type ApiClient, rpc, signedInClient } from "../support/api/api-client";
import { addRecord, logAccess, registerDoctor, registerPatient } from "../support/api/chain";
import { encryptedRecord, testKeys, withDatabase } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

/*
 * Concurrency on the shared test stack. 57 stores the same key 50 times at once; 55 (a patient signed in twice:
 * two tabs) grants and revokes record access for doctor 56 in every harmful interleaving and all at once; the
 * key store must end as the chain ordered the two transactions. Account 0 is the admin.
 */
const stack = stackUnderTest();
const OCTETS = { "content-type": "application/octet-stream" };

async function patientContract() {
  const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as { chain: { contracts: { PatientContract: { address: string } } } };
  const web3 = new Web3(stack.rpcUrl);
  return new web3.eth.Contract(patientContractAbi, health.chain.contracts.PatientContract.address);
}

/**
 * A transaction sent as a wallet does (eth_sendTransaction; the node picks the nonce, so two tabs of one wallet
 * may send at once), resolved with the block it was mined in.
 */
async function send(from: string, data: string): Promise<bigint> {
  const to = (await patientContract()).options.address!;
  const hash = (await rpc("eth_sendTransaction", [{ from, to, data, gas: "0x2dc6c0" }])) as string;
  for (;;) {
    const receipt = (await rpc("eth_getTransactionReceipt", [hash])) as { blockNumber: string; status: string } | null;
    if (receipt) {
      assert.equal(receipt.status, "0x1", `transaction ${hash} reverted`);
      return BigInt(receipt.blockNumber);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("50 parallel identical key stores", () => {
  const account = stack.accounts[57]!;
  const keys = testKeys();

  it("all answer 200 with the same key, and leave one row", async () => {
    await registerPatient(account, keys.publicKeyHex);
    const client = await signedInClient(account);
    const answers = await Promise.all(Array.from({ length: 50 }, () => client.put("/api/keys/me", { json: { publicKey: keys.publicKeyHex } })));
    const expected = { address: account.toLowerCase(), publicKey: keys.publicKeyHex.toLowerCase() };
    assert.deepEqual(new Set(answers.map((answer) => JSON.stringify([answer.status, answer.body]))), new Set([JSON.stringify([200, expected])]));
    const rows = await withDatabase(async (db) => (await db.query("SELECT encryption_public_key FROM users WHERE address = $1", [account.toLowerCase()])).rows);
    assert.equal(rows.length, 1);
    await client.post("/api/auth/logout-all");
  });
});

describe("two tabs granting and revoking", () => {
  const patientAccount = stack.accounts[55]!;
  const doctorAccount = stack.accounts[56]!;
  const patient = patientAccount.toLowerCase();
  const doctor = doctorAccount.toLowerCase();
  const patientKeys = testKeys();
  const doctorKeys = testKeys();
  let tabA: ApiClient;
  let tabB: ApiClient;
  let doctorClient: ApiClient;
  let recordId: string;
  let dataKey: Uint8Array;
  let contract: Awaited<ReturnType<typeof patientContract>>;

  before(async () => {
    contract = await patientContract();
    await registerPatient(patientAccount, patientKeys.publicKeyHex);
    await registerDoctor(stack.accounts[0]!, doctorAccount, doctorKeys.publicKeyHex, { name: "Dr Twotabs Concurrency", specialty: "Cardiology" });
    tabA = await signedInClient(patientAccount);
    tabB = await signedInClient(patientAccount);
    doctorClient = await signedInClient(doctorAccount);
    assert.equal((await doctorClient.put("/api/keys/me", { json: { publicKey: doctorKeys.publicKeyHex } })).status, 200);
    // One record of the patient's, stored and confirmed.
    const record = await encryptedRecord(new Uint8Array(2_000).fill(55), [{ address: patient, publicKey: patientKeys.publicKey }]);
    dataKey = record.dataKey;
    const created = await tabA.post("/api/uploads", {
      json: { patient, size: record.ciphertext.length, encryptedMetadata: record.encryptedMetadata, wrappedKeys: record.wrappedKeys },
    });
    const uploadId = (created.body as { uploadId: string }).uploadId;
    const stored = (await tabA.put(`/api/uploads/${uploadId}/content`, { body: record.ciphertext, headers: OCTETS })).body as { cidDigest: string; codec: number };
    recordId = await addRecord(patientAccount, patientAccount, stored.cidDigest, stored.codec);
    assert.equal((await tabA.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } })).status, 200);
  });

  after(async () => {
    await tabA.post("/api/auth/logout-all");
    await doctorClient.post("/api/auth/logout-all");
  });

  // The API steps of lib/sharing/client grant.ts (store the keys, sign, store them again once mined) and
  // revoke.ts (sign, then prune once mined), one at a time so a test can interleave them.
  const grantData = () => contract.methods.grantAccess(doctor, [recordId], 0).encodeABI();
  const revokeData = () => contract.methods.revokeAccess(doctor, [recordId]).encodeABI();
  /** Grant step 4: the data key freshly wrapped for the doctor, stored before signing; returns it. */
  async function storeKey(tab: ApiClient): Promise<string> {
    const wrappedKey = bytesToBase64(wrapKey(dataKey, doctorKeys.publicKey));
    const answer = await tab.put("/api/shares/keys", { json: { doctor, keys: [{ recordId, wrappedKey }] } });
    assert.deepEqual([answer.status, answer.body], [200, { stored: 1 }]);
    return wrappedKey;
  }
  /** Revoke step 2 (after the revocation is mined). */
  async function prune(tab: ApiClient): Promise<number> {
    const answer = await tab.post("/api/shares/prune", { json: { doctor, recordIds: [recordId] } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return (answer.body as { deleted: number }).deleted;
  }

  /** What the system says about the doctor and the record once both tabs are done. */
  async function endState(lastKey: string | undefined) {
    const readable = Boolean(await contract.methods.canRead(doctor, recordId).call());
    if (readable) await logAccess(doctorAccount, recordId);
    const key = await doctorClient.get(`/api/records/${recordId}/key`);
    const shares = (await tabB.get("/api/shares")).body as { doctors: Array<{ doctor: string; records: Array<{ recordId: string; readable: boolean }> }> };
    const shared = shares.doctors.find((entry) => entry.doctor === doctor)?.records.find((entry) => entry.recordId === recordId)?.readable ?? false;
    const opened = key.status === 200 && lastKey !== undefined ? Buffer.from(unwrapKey(decodeWrappedKey((key.body as { wrappedKey: string }).wrappedKey), doctorKeys.secretKey)).equals(Buffer.from(dataKey)) : false;
    return { readable, shared, keyStatus: key.status, opened };
  }
  const GRANTED = { readable: true, shared: true, keyStatus: 200, opened: true };
  const REVOKED = { readable: false, shared: false, keyStatus: 403, opened: false };

  /** The starting point of each case: the record granted to the doctor, key stored, grant mined. */
  async function grantFully(): Promise<void> {
    await storeKey(tabA);
    await send(patientAccount, grantData());
    await storeKey(tabA);
  }

  it("from a grant: tab B's revocation is mined, then tab A's grant (key, transaction, key again), then tab B's late prune: granted, nothing pruned", async () => {
    await grantFully();
    await send(patientAccount, revokeData());
    await storeKey(tabA);
    await send(patientAccount, grantData());
    const key = await storeKey(tabA);
    assert.equal(await prune(tabB), 0);
    assert.deepEqual(await endState(key), GRANTED);
  });

  it("from a grant: tab A stores its key and its grant is mined, then tab B's revocation is mined and pruned: revoked, the doctor's key deleted", async () => {
    await grantFully();
    await storeKey(tabA);
    await send(patientAccount, grantData());
    const key = await storeKey(tabA);
    await send(patientAccount, revokeData());
    assert.equal(await prune(tabB), 1);
    assert.deepEqual(await endState(key), REVOKED);
  });

  it("from a grant: tab A stores its key, tab B's revocation is mined and prunes it, then tab A's grant is mined and its key stored again: granted, the doctor can open the record", async () => {
    await grantFully();
    await storeKey(tabA);
    await send(patientAccount, revokeData());
    assert.equal(await prune(tabB), 1);
    await send(patientAccount, grantData());
    const key = await storeKey(tabA);
    assert.deepEqual(await endState(key), GRANTED);
  });

  it("both tabs at once, five rounds: each ends as the later of the two mined transactions", async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 5; round++) {
      await grantFully();
      const [granted, revoked] = await Promise.all([
        (async () => {
          await storeKey(tabA);
          const block = await send(patientAccount, grantData());
          return { key: await storeKey(tabA), block };
        })(),
        (async () => {
          const block = await send(patientAccount, revokeData());
          await prune(tabB);
          return block;
        })(),
      ]);
      const grantLast = granted.block > revoked;
      outcomes.push(grantLast ? "grant" : "revoke");
      assert.deepEqual(await endState(granted.key), grantLast ? GRANTED : REVOKED, `round ${round}: the ${grantLast ? "grant" : "revocation"} was mined last`);
    }
    console.log(`# two tabs at once: mined last per round: ${outcomes.join(", ")}`);
  });
});
