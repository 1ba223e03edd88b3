// Custom errors: Truffle cannot decode them by message, so match the revert data by its 4-byte selector
// (`web3.eth.abi.encodeFunctionSignature("Err(address)")`) and, when args are given, the ABI-encoded arguments.
"use strict";

/** The revert data of a failed call or transaction, as Truffle 5 + Ganache 7 report it. */
function revertDataOf(error) {
  const { data } = error;
  if (typeof data === "string") return data; // eth_call
  if (data && typeof data.result === "string") return data.result; // eth_sendTransaction
  if (data && typeof data === "object") {
    // Older Ganache shape: { [txHash]: { return: "0x..." } }
    for (const value of Object.values(data)) {
      if (value && typeof value.return === "string") return value.return;
    }
  }
  throw new Error(`No revert data in error: ${error.message}`);
}

/** The argument types of a plain signature such as "Err(address,uint256)" (no tuples). */
function argTypesOf(signature) {
  const inner = signature.slice(signature.indexOf("(") + 1, signature.lastIndexOf(")"));
  return inner === "" ? [] : inner.split(",").map((type) => type.trim());
}

/**
 * Awaits `promise` and asserts that it reverted with the custom error `signature`, e.g.
 * `await expectCustomError(doctors.addAdmin(x, { from: stranger }), "DoctorContractUnauthorized(address)", [stranger])`.
 * With `args`, the ABI-encoded arguments must match too.
 */
async function expectCustomError(promise, signature, args) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `Expected a revert with ${signature}, but the call succeeded`);

  const data = revertDataOf(error).toLowerCase();
  const selector = web3.eth.abi.encodeFunctionSignature(signature);
  assert.strictEqual(
    data.slice(0, 10),
    selector,
    `Expected ${signature} (${selector}) but got revert data ${data} (${error.message})`,
  );
  if (args !== undefined) {
    const types = argTypesOf(signature);
    assert.strictEqual(args.length, types.length, `${signature} takes ${types.length} arguments`);
    const expected = `${selector}${web3.eth.abi.encodeParameters(types, args).slice(2)}`.toLowerCase();
    assert.strictEqual(data, expected, `${signature} was raised with other arguments`);
  }
}

module.exports = { expectCustomError, revertDataOf };
