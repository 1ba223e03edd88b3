import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { eth } from "web3";
import { ChainError, eventInReceipt, newRecordIdIn, transact, type SendableMethod, type TxReceipt, type TxStatus, type TxWallet } from "../../lib/chain/client";
import { patientContractAbi } from "../../lib/chain/generated/contracts";

const FROM = "0x00000000000000000000000000000000000000aa";
const DOCTOR = "0x00000000000000000000000000000000000000bb";
const CONTRACT = "0x00000000000000000000000000000000000000cc";
const DATA = "0x12345678";
const HASH = `0x${"ab".repeat(32)}`;
const MINED = { transactionHash: HASH, blockNumber: "0x7", status: "0x1", logs: [] };

// What web3 throws for a reverted eth_call: the revert data (selector + arguments) nested in its error.
const alreadyActive = Object.assign(new Error("Error happened while trying to execute a function inside a smart contract"), {
  innerError: { code: 3, data: eth.abi.encodeErrorSignature("DoctorContractAlreadyActive(address)").slice(0, 10) + eth.abi.encodeParameter("address", DOCTOR).slice(2) },
});

/** A contract method whose simulation and estimate do what each test says, counting the calls. */
function fakeMethod(behaviour: { call?: () => Promise<unknown>; estimateGas?: () => Promise<bigint> } = {}) {
  const asked = { call: 0, estimateGas: 0 };
  const method: SendableMethod = {
    call: () => {
      asked.call++;
      return behaviour.call?.() ?? Promise.resolve(undefined);
    },
    estimateGas: () => {
      asked.estimateGas++;
      return behaviour.estimateGas?.() ?? Promise.resolve(50_000n);
    },
    populateTransaction: () => ({ to: CONTRACT, data: DATA }),
  };
  return { method, asked };
}

/** A wallet that answers the send and then each receipt read in turn (an Error is thrown), recording what it was sent. */
function fakeWallet(send: () => Promise<unknown>, receipts: unknown[] = [MINED]) {
  const sent: unknown[] = [];
  let reads = 0;
  const wallet: TxWallet = {
    sendTransaction: (tx) => {
      sent.push(tx);
      return send();
    },
    getTransactionReceipt: async () => {
      const answer = receipts[Math.min(reads++, receipts.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { wallet, sent, reads: () => reads };
}

const broadcast = () => Promise.resolve(HASH);
const fast = { receiptPollMs: 1 };

function assertChainError(expected: { kind: string; mayBeOnChain: boolean; message?: RegExp; errorName?: string; txHash?: string }) {
  return (error: unknown) => {
    assert.ok(error instanceof ChainError, String(error));
    assert.equal(error.kind, expected.kind);
    assert.equal(error.mayBeOnChain, expected.mayBeOnChain);
    if (expected.message) assert.match(error.message, expected.message);
    assert.equal(error.errorName, expected.errorName);
    assert.equal(error.txHash, expected.txHash);
    return true;
  };
}

describe("transact: the check before the wallet", () => {
  it("sends after a successful estimate, without simulating the call beside it: to, data, gas with a 30 % margin", async () => {
    const { method, asked } = fakeMethod();
    const { wallet, sent } = fakeWallet(broadcast);
    const stages: TxStatus["stage"][] = [];
    const receipt = await transact(method, FROM, wallet, (status) => stages.push(status.stage));
    assert.equal(receipt.transactionHash, HASH);
    assert.deepEqual(asked, { call: 0, estimateGas: 1 });
    assert.deepEqual(sent, [{ from: FROM, to: CONTRACT, data: DATA, gas: `0x${(65_000 + 10_000).toString(16)}` }]);
    assert.deepEqual(stages, ["checking", "pending", "sent", "confirmed"]);
  });

  it("reports the contract's custom error from the simulation when the estimate fails, and sends nothing", async () => {
    const { method, asked } = fakeMethod({ estimateGas: () => Promise.reject(new Error("Returned error: execution reverted")), call: () => Promise.reject(alreadyActive) });
    const { wallet, sent } = fakeWallet(broadcast);
    await assert.rejects(
      transact(method, FROM, wallet),
      assertChainError({ kind: "reverted", mayBeOnChain: false, errorName: "DoctorContractAlreadyActive", message: new RegExp(DOCTOR.slice(2), "i") }),
    );
    assert.deepEqual(asked, { call: 1, estimateGas: 1 });
    assert.equal(sent.length, 0);
  });

  it("reports the estimate's own failure when the simulation passes (the node failed), and sends nothing", async () => {
    const { method } = fakeMethod({ estimateGas: () => Promise.reject(new Error("the node is unreachable")) });
    const { wallet, sent } = fakeWallet(broadcast);
    await assert.rejects(transact(method, FROM, wallet), assertChainError({ kind: "failed", mayBeOnChain: false, message: /unreachable/ }));
    assert.equal(sent.length, 0);
  });
});

describe("transact: the wallet and the receipt", () => {
  it("a refusal in the wallet (4001) is the user's and certainly changed nothing", async () => {
    const { wallet } = fakeWallet(() => Promise.reject(Object.assign(new Error("User denied transaction signature."), { code: 4001 })));
    await assert.rejects(transact(fakeMethod().method, FROM, wallet), assertChainError({ kind: "rejected", mayBeOnChain: false }));
  });

  it("any other failure before the hash may still have been broadcast", async () => {
    const { wallet } = fakeWallet(() => Promise.reject(Object.assign(new Error("The connection to the wallet was lost."), { code: -32603 })));
    await assert.rejects(transact(fakeMethod().method, FROM, wallet), assertChainError({ kind: "failed", mayBeOnChain: true, message: /connection to the wallet was lost/ }));
  });

  it("keeps asking for the receipt through failed reads and not-yet-mined answers, reporting each later check", async () => {
    const { wallet, reads } = fakeWallet(broadcast, [new Error("receipt read failed"), null, MINED]);
    const statuses: TxStatus[] = [];
    const receipt = await transact(fakeMethod().method, FROM, wallet, (status) => statuses.push(status), fast);
    assert.equal(receipt.blockNumber, "0x7");
    assert.equal(reads(), 3);
    assert.deepEqual(
      statuses.map((status) => (status.stage === "waiting" ? `waiting ${status.attempt}` : status.stage)),
      ["checking", "pending", "sent", "waiting 2", "waiting 3", "confirmed"],
    );
    assert.deepEqual(statuses.at(-1), { stage: "confirmed", hash: HASH, blockNumber: 7n });
  });

  it("a receipt showing a revert certainly changed nothing", async () => {
    const { wallet } = fakeWallet(broadcast, [{ ...MINED, status: "0x0" }]);
    await assert.rejects(transact(fakeMethod().method, FROM, wallet), assertChainError({ kind: "reverted", mayBeOnChain: false, txHash: HASH }));
  });

  it("a receipt that does not come in time leaves the transaction possibly on chain, with its hash", async () => {
    const { wallet, reads } = fakeWallet(broadcast, [null]);
    await assert.rejects(transact(fakeMethod().method, FROM, wallet, undefined, { receiptPollMs: 5, receiptTimeoutMs: 30 }), assertChainError({ kind: "failed", mayBeOnChain: true, txHash: HASH }));
    assert.ok(reads() >= 2, `read ${reads()} times`);
  });
});

describe("eventInReceipt", () => {
  const PATIENT = "0x00000000000000000000000000000000000000dd";
  const recordId = (BigInt(PATIENT) << 96n) + 3n;
  const word = (value: bigint | string, type: string) => eth.abi.encodeParameter(type, value);
  const recordAdded = (address: string) => ({
    address,
    topics: [
      eth.abi.encodeEventSignature("RecordAdded(address,address,uint256,bytes32,uint64,uint64)"),
      word(PATIENT, "address"),
      word(PATIENT, "address"),
      word(recordId, "uint256"),
    ],
    data: eth.abi.encodeParameters(["bytes32", "uint64", "uint64"], [`0x${"11".repeat(32)}`, 0x55n, 1_700_000_000n]),
  });
  const receipt = (logs: TxReceipt["logs"]): TxReceipt => ({ ...MINED, logs });

  it("decodes the event from the contract's own log, topics and data", () => {
    const args = eventInReceipt(receipt([recordAdded(CONTRACT)]), CONTRACT, patientContractAbi, "RecordAdded");
    assert.equal(BigInt(args?.recordId as bigint), recordId);
    assert.equal(String(args?.patient).toLowerCase(), PATIENT);
    assert.equal(args?.cidDigest, `0x${"11".repeat(32)}`);
    assert.equal(BigInt(args?.codec as bigint), 0x55n);
  });

  it("ignores the same event from another contract, and answers undefined when there is none", () => {
    assert.equal(eventInReceipt(receipt([recordAdded(DOCTOR)]), CONTRACT, patientContractAbi, "RecordAdded"), undefined);
    assert.equal(eventInReceipt(receipt([]), CONTRACT, patientContractAbi, "RecordAdded"), undefined);
    assert.equal(eventInReceipt(receipt([recordAdded(CONTRACT)]), CONTRACT, patientContractAbi, "RecordAmended"), undefined);
  });

  it("newRecordIdIn gives the id in decimal, and a receipt without the event may still be on chain", () => {
    assert.equal(newRecordIdIn(receipt([recordAdded(CONTRACT)]), CONTRACT, patientContractAbi, "RecordAdded", "recordId"), recordId.toString());
    assert.throws(
      () => newRecordIdIn(receipt([recordAdded(DOCTOR)]), CONTRACT, patientContractAbi, "RecordAdded", "recordId"),
      assertChainError({ kind: "failed", mayBeOnChain: true, message: /did not report the new record/, txHash: HASH }),
    );
  });
});
