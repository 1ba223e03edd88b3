import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { eth } from "web3";
import { ChainError, transact, type SendableMethod, type TxStatus } from "../../lib/chain/client";

const FROM = "0x00000000000000000000000000000000000000aa";
const DOCTOR = "0x00000000000000000000000000000000000000bb";

// What web3 throws for a reverted eth_call: the revert data (selector + arguments) nested in its error.
const alreadyActive = Object.assign(new Error("Error happened while trying to execute a function inside a smart contract"), {
  innerError: { code: 3, data: eth.abi.encodeErrorSignature("DoctorContractAlreadyActive(address)").slice(0, 10) + eth.abi.encodeParameter("address", DOCTOR).slice(2) },
});

/** A contract method whose simulation, estimate and send do what each test says, counting the calls. */
function fakeMethod(behaviour: { call?: () => Promise<unknown>; estimateGas?: () => Promise<bigint> }) {
  const asked = { call: 0, estimateGas: 0, send: 0 };
  const method: SendableMethod = {
    call: () => {
      asked.call++;
      return behaviour.call?.() ?? Promise.resolve(undefined);
    },
    estimateGas: () => {
      asked.estimateGas++;
      return behaviour.estimateGas?.() ?? Promise.resolve(50_000n);
    },
    send: () => {
      asked.send++;
      const receipt = Promise.resolve({ transactionHash: "0x01", blockNumber: 7n, status: 1n });
      return Object.assign(receipt, { on: () => receipt });
    },
  };
  return { method, asked };
}

describe("transact: the check before the wallet", () => {
  it("sends after a successful estimate without simulating the call beside it", async () => {
    const { method, asked } = fakeMethod({});
    const stages: TxStatus["stage"][] = [];
    const receipt = await transact(method, FROM, (status) => stages.push(status.stage));
    assert.equal(BigInt(receipt.blockNumber), 7n);
    assert.deepEqual(asked, { call: 0, estimateGas: 1, send: 1 });
    assert.deepEqual(stages, ["checking", "pending", "confirmed"]);
  });

  it("reports the contract's custom error from the simulation when the estimate fails, and sends nothing", async () => {
    const { method, asked } = fakeMethod({
      estimateGas: () => Promise.reject(new Error("Returned error: execution reverted")),
      call: () => Promise.reject(alreadyActive),
    });
    await assert.rejects(transact(method, FROM), (error: unknown) => {
      assert.ok(error instanceof ChainError);
      assert.equal(error.kind, "reverted");
      assert.equal(error.errorName, "DoctorContractAlreadyActive");
      assert.match(error.message, new RegExp(DOCTOR.slice(2), "i"));
      assert.equal(error.mayBeOnChain, false);
      return true;
    });
    assert.deepEqual(asked, { call: 1, estimateGas: 1, send: 0 });
  });

  it("reports the estimate's own failure when the simulation passes (e.g. the node failed), and sends nothing", async () => {
    const { method, asked } = fakeMethod({ estimateGas: () => Promise.reject(new Error("the node is unreachable")) });
    await assert.rejects(transact(method, FROM), (error: unknown) => {
      assert.ok(error instanceof ChainError);
      assert.equal(error.kind, "failed");
      assert.match(error.message, /unreachable/);
      assert.equal(error.mayBeOnChain, false);
      return true;
    });
    assert.deepEqual(asked, { call: 1, estimateGas: 1, send: 0 });
  });
});
