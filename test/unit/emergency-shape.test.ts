import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emergencyKeyOnChain, emergencyRequestFields } from "@/lib/chain/emergency-shape";

// What web3 returns for DoctorContract's structs: named fields beside positional ones, uints as bigint.
const KEY = `0x${"Ab".repeat(32)}`;

describe("emergencyRequestFields", () => {
  const raw = { reasonCode: 3n, state: 1n, approvals: 2n, threshold: 2n, keyVersion: 4n, requestedAt: 1_700_000_000n, grantedUntil: 1_700_086_400n };

  it("reads the request's numbers and names its state", () => {
    assert.deepEqual(emergencyRequestFields(raw), {
      reasonCode: 3,
      state: "approved",
      approvals: 2,
      threshold: 2,
      keyVersion: 4,
      requestedAt: 1_700_000_000,
      grantedUntil: 1_700_086_400,
    });
    assert.equal(emergencyRequestFields({ ...raw, state: 0n }).state, "pending");
    assert.equal(emergencyRequestFields({ ...raw, state: 2n }).state, "refused");
  });
});

describe("emergencyKeyOnChain", () => {
  it("gives the key in lower case, with its threshold and version, by name or by position", () => {
    const expected = { key: KEY.toLowerCase(), threshold: 2, version: 5 };
    assert.deepEqual(emergencyKeyOnChain({ key: KEY, threshold: 2n, version: 5n }), expected);
    assert.deepEqual(emergencyKeyOnChain({ 0: KEY, 1: 2n, 2: 5n }), expected);
  });

  it("has no key for a patient who is not opted in, and keeps the version that opting out moved on", () => {
    assert.deepEqual(emergencyKeyOnChain({ key: `0x${"0".repeat(64)}`, threshold: 0n, version: 6n }), { key: undefined, threshold: 0, version: 6 });
  });
});
