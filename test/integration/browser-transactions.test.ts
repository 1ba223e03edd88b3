/**
 * The browser's one transactor (lib/chain/client: the gas estimate (and the simulation when it fails), the wallet's send, the receipt)
 * against the real chain, through an EIP-1193 wallet as the pages use it:
 * - a transaction the contract refuses is reported with its custom error and its arguments, and nothing is sent;
 * - a refusal in the wallet is reported as the user's, and nothing is sent;
 * - a sent transaction reports each stage and returns the new record;
 * - a send whose answer is lost after the wallet broadcast it is reported as possibly on chain (an upload then
 *   keeps its file).
 * The accounts are made for this run (imported into Ganache, funded by account 47).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, it } from "node:test";
import { addRecord, ChainError, recordCount, REJECTED_MESSAGE, type TxStatus } from "@/lib/chain/client";
import { rpc } from "../support/api/api-client";
import { registerPatient } from "../support/api/chain";
import { freshAccount, nodeBrowserChain, type WalletRequest } from "../support/api/chain-identities";
import { testKeys } from "../support/api/fixtures";
import { stackUnderTest } from "../support/stack-env";

const funder = stackUnderTest().accounts[47]!;
const RAW = 0x55;
const cidDigest = () => `0x${randomBytes(32).toString("hex")}`;
const nonceOf = async (account: string) => BigInt((await rpc("eth_getTransactionCount", [account, "latest"])) as string);

/** A wallet that records what the page asked it, and answers through `answer` (by default: the chain). */
function recordingWallet(asked: string[], answer?: (method: string, forward: () => Promise<unknown>) => Promise<unknown>) {
  return (toChain: WalletRequest): WalletRequest =>
    (args) => {
      asked.push(args.method);
      const forward = () => toChain(args);
      return answer ? answer(args.method, forward) : forward();
    };
}

let patient: string;
let stranger: string;

before(async () => {
  [patient, stranger] = [(await freshAccount(funder)).toLowerCase(), (await freshAccount(funder)).toLowerCase()];
  await registerPatient(patient, testKeys().publicKeyHex);
});

describe("the browser's transactions on the real chain", () => {
  it("a transaction the contract refuses names its custom error and arguments, and nothing is sent", async () => {
    const asked: string[] = [];
    const chain = await nodeBrowserChain(stranger, recordingWallet(asked));
    const nonce = await nonceOf(stranger);
    const cases = [
      { patient: stranger, error: "PatientContractNotRegistered", args: [stranger] },
      { patient, error: "PatientContractNotActiveDoctor", args: [stranger] },
    ];
    for (const refused of cases) {
      const statuses: string[] = [];
      await assert.rejects(addRecord(chain, refused.patient, cidDigest(), RAW, (status) => statuses.push(status.stage)), (error: unknown) => {
        assert.ok(error instanceof ChainError, String(error));
        assert.deepEqual([error.kind, error.errorName, error.mayBeOnChain], ["reverted", refused.error, false]);
        assert.equal(error.message.toLowerCase(), `The contract refused: ${refused.error}(${refused.args.join(", ")})`.toLowerCase());
        return true;
      });
      assert.deepEqual(statuses, ["checking"], `${refused.error}: the wallet was never asked to send`);
    }
    assert.ok(!asked.includes("eth_sendTransaction"), `asked: ${asked.join(", ")}`);
    assert.equal(await nonceOf(stranger), nonce);
  });

  it("a refusal in the wallet is the user's: reported as such, nothing sent", async () => {
    const asked: string[] = [];
    const refuse = recordingWallet(asked, (method, forward) =>
      method === "eth_sendTransaction" ? Promise.reject(Object.assign(new Error("User denied transaction signature."), { code: 4001 })) : forward(),
    );
    const chain = await nodeBrowserChain(patient, refuse);
    const [nonce, records] = [await nonceOf(patient), await recordCount(chain, patient)];
    await assert.rejects(addRecord(chain, patient, cidDigest(), RAW), (error: unknown) => {
      assert.ok(error instanceof ChainError, String(error));
      assert.deepEqual([error.kind, error.message, error.mayBeOnChain, error.txHash], ["rejected", REJECTED_MESSAGE, false, undefined]);
      return true;
    });
    assert.ok(asked.includes("eth_sendTransaction"), "the wallet was asked");
    assert.equal(await nonceOf(patient), nonce);
    assert.equal(await recordCount(chain, patient), records);
  });

  it("a sent transaction reports checking, pending, sent and confirmed, and returns the new record", async () => {
    const chain = await nodeBrowserChain(patient);
    const records = await recordCount(chain, patient);
    const statuses: TxStatus[] = [];
    const recordId = await addRecord(chain, patient, cidDigest(), RAW, (status) => statuses.push(status));
    const stages = statuses.map((status) => status.stage).filter((stage) => stage !== "waiting");
    assert.deepEqual(stages, ["checking", "pending", "sent", "confirmed"]);
    const sent = statuses.find((status) => status.stage === "sent");
    const confirmed = statuses.at(-1);
    assert.ok(sent?.stage === "sent" && confirmed?.stage === "confirmed" && sent.hash === confirmed.hash);
    assert.equal(await recordCount(chain, patient), records + 1n);
    // The record id carries its patient in its top 160 bits and its index below (PatientContract).
    assert.equal(BigInt(recordId) >> 96n, BigInt(patient));
    assert.equal(BigInt(recordId) & ((1n << 96n) - 1n), records);
  });

  it("a send whose answer is lost after the wallet broadcast it may be on chain: said so, never called a refusal", async () => {
    const asked: string[] = [];
    const lostAnswer = recordingWallet(asked, async (method, forward) => {
      if (method !== "eth_sendTransaction") return forward();
      await forward(); // broadcast and mined
      throw Object.assign(new Error("The connection to the wallet was lost."), { code: -32603 });
    });
    const chain = await nodeBrowserChain(patient, lostAnswer);
    const records = await recordCount(chain, patient);
    await assert.rejects(addRecord(chain, patient, cidDigest(), RAW), (error: unknown) => {
      assert.ok(error instanceof ChainError, String(error));
      assert.deepEqual([error.kind, error.mayBeOnChain, error.message], ["failed", true, "The connection to the wallet was lost."]);
      return true;
    });
    assert.equal(await recordCount(chain, patient), records + 1n, "it was mined: the caller must keep what it refers to");
  });
});
