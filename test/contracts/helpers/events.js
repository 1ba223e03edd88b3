// Events: compare Truffle's decoded `receipt.logs` with the exact event names and arguments expected.
"use strict";

/** A comparable form of an event argument: numbers as decimal strings, hex and addresses lower-cased. */
function normalize(value) {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "bigint" || typeof value === "number" || web3.utils.isBN(value)) return value.toString();
  if (typeof value === "string") return value.toLowerCase();
  return String(value);
}

/** The named arguments of a decoded log (Truffle adds positional keys and `__length__`). */
function namedArgs(log) {
  const out = {};
  for (const [key, value] of Object.entries(log.args)) {
    if (key !== "__length__" && Number.isNaN(Number(key))) out[key] = normalize(value);
  }
  return out;
}

function describeLog(log) {
  return `${log.event}(${JSON.stringify(namedArgs(log))})`;
}

function matches(log, name, args) {
  if (log.event !== name) return false;
  const actual = namedArgs(log);
  const expected = Object.fromEntries(Object.entries(args).map(([key, value]) => [key, normalize(value)]));
  return JSON.stringify(Object.keys(actual).sort()) === JSON.stringify(Object.keys(expected).sort()) &&
    Object.keys(expected).every((key) => JSON.stringify(actual[key]) === JSON.stringify(expected[key]));
}

/**
 * Asserts that the transaction emitted `name` with exactly `args` (every named argument, no more, no less).
 * @param {{ logs: Array<{ event: string, args: object }> }} result A Truffle transaction result.
 */
function expectEvent(result, name, args) {
  const found = result.logs.some((log) => matches(log, name, args));
  assert.ok(
    found,
    `Expected ${name}(${JSON.stringify(args)}) among: ${result.logs.map(describeLog).join(", ") || "no events"}`,
  );
}

/** Asserts that the transaction emitted exactly these events, in this order: `[[name, args], ...]`. */
function expectEvents(result, expected) {
  const actual = result.logs.map(describeLog);
  assert.strictEqual(
    result.logs.length,
    expected.length,
    `Expected ${expected.length} events, got ${result.logs.length}: ${actual.join(", ")}`,
  );
  expected.forEach(([name, args], i) => {
    assert.ok(matches(result.logs[i], name, args), `Event #${i}: expected ${name}(${JSON.stringify(args)}), got ${actual[i]}`);
  });
}

/** Asserts that the transaction emitted no event called `name`. */
function expectNoEvent(result, name) {
  const found = result.logs.filter((log) => log.event === name);
  assert.strictEqual(found.length, 0, `Expected no ${name}, got ${found.map(describeLog).join(", ")}`);
}

module.exports = { expectEvent, expectEvents, expectNoEvent, normalize };
