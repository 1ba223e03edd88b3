import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stackUnderTest } from "../support/stack-env";

const stack = stackUnderTest();

describe("bench routes", () => {
  it("GET /api/bench/select-1 answers 404 like an unknown path unless the server runs with EHR_BENCH_ROUTES=1", async () => {
    const response = await fetch(new URL("/api/bench/select-1", stack.appUrl));
    assert.equal(response.status, 404);
    assert.deepEqual(((await response.json()) as { error: { code: string } }).error.code, "not_found");
  });
});
