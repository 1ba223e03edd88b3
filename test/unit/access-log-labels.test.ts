import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordLabel } from "@/lib/sharing/client/access-log";

const patient = 0xabcdefn;
const recordId = (index: bigint) => ((patient << 96n) | index).toString();

describe("recordLabel", () => {
  it("names a record by its decrypted title, else by its 1-based number", () => {
    assert.equal(recordLabel(recordId(0n), new Map([[recordId(0n), "MRI knee"]])), "MRI knee");
    assert.equal(recordLabel(recordId(4n), new Map()), "Record #5");
  });

  it("names the last index of a patient's range, where share releases are audited, as the emergency key", () => {
    assert.equal(recordLabel(recordId((1n << 96n) - 1n), new Map()), "Emergency key (shares)");
    assert.equal(recordLabel(recordId((1n << 96n) - 2n), new Map()), `Record #${(1n << 96n) - 1n}`);
  });

  it("shows an id it cannot read as it is", () => {
    assert.equal(recordLabel("not-a-number", new Map()), "Record not-a-number");
  });
});
