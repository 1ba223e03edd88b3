import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Web3 } from "web3";
import { withReadDeadline, WalletReadTimeoutError } from "@/lib/wallet/read-deadline";

// A wallet or node that never answers a read must become an error the page can show, never a form stuck on
// "Checking…"; a transaction waits for the user however long they take.
const NEVER = () => new Promise<never>(() => {});
const DEADLINE_MS = 50;

describe("wallet reads have a deadline", () => {
  it("a read that is never answered fails after the deadline, with a message web3 passes on to the page", async () => {
    const web3 = new Web3(withReadDeadline({ request: NEVER }, DEADLINE_MS) as never);
    const started = performance.now();
    await assert.rejects(web3.eth.getBlockNumber(), (error: unknown) => {
      assert.ok(error instanceof WalletReadTimeoutError);
      assert.match(error.message, /^Your wallet did not answer a read of the chain \(eth_blockNumber\) within 0\.05 s/);
      return true;
    });
    assert.ok(performance.now() - started >= DEADLINE_MS - 1, "not before the deadline");
  });

  it("transactions and account requests wait for the user past the deadline", async () => {
    const provider = withReadDeadline({ request: NEVER }, DEADLINE_MS);
    for (const method of ["eth_sendTransaction", "eth_requestAccounts", "eth_sign", "wallet_switchEthereumChain"]) {
      const outcome = await Promise.race([
        provider.request({ method, params: [] }).then(
          () => "answered",
          () => "failed",
        ),
        new Promise((resolve) => setTimeout(() => resolve("still waiting"), DEADLINE_MS * 3)),
      ]);
      assert.equal(outcome, "still waiting", method);
    }
  });

  it("answers and errors of the wallet pass through unchanged; events reach the wallet", async () => {
    const answer = { number: "0x1" };
    const refusal = Object.assign(new Error("execution reverted"), { code: 3, data: "0x12345678" });
    const listeners: string[] = [];
    const provider = withReadDeadline(
      {
        request: async ({ method }) => {
          if (method === "eth_call") throw refusal;
          return answer;
        },
        on: (event) => listeners.push(`on ${event}`),
        removeListener: (event) => listeners.push(`off ${event}`),
      },
      DEADLINE_MS,
    );
    assert.equal(await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] }), answer);
    assert.equal(await provider.request({ method: "eth_sendTransaction", params: [] }), answer);
    await assert.rejects(provider.request({ method: "eth_call", params: [] }), (error: unknown) => error === refusal);
    provider.on?.("accountsChanged", () => {});
    provider.removeListener?.("accountsChanged", () => {});
    assert.deepEqual(listeners, ["on accountsChanged", "off accountsChanged"]);
  });
});
