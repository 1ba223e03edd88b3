import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { readAhead } from "@/lib/ipfs/read-ahead";

/** A source of `count` chunks of `size` bytes (chunk i filled with i), recording how far it was read and whether it was closed. */
function recordingSource(count: number, size: number, options: { failAt?: number; delayMs?: number } = {}) {
  const state = { pulled: 0, closed: false };
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < count; i++) {
        if (options.delayMs) await sleep(options.delayMs);
        if (i === options.failAt) throw new Error(`source failed at ${i}`);
        state.pulled++;
        yield new Uint8Array(size).fill(i);
      }
    } finally {
      state.closed = true;
    }
  }
  return { source: source(), state };
}

test("read-ahead gives every chunk, in order, and ends", async () => {
  const { source } = recordingSource(20, 1000, { delayMs: 1 });
  const seen: number[] = [];
  for await (const chunk of readAhead(source, 4000)) seen.push(chunk[0]!);
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i));
});

test("read-ahead pulls while the consumer is busy, but holds at most about maxBytes", async () => {
  const { source, state } = recordingSource(50, 1000);
  const iterator = readAhead(source, 5000)[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value?.[0], 0);
  // The consumer is busy: the source is read ahead, up to the bound.
  await sleep(20);
  assert.ok(state.pulled > 2, `read ahead: ${state.pulled}`);
  assert.ok(state.pulled <= 1 + 5 + 1, `bounded: ${state.pulled}`);
  let count = 1;
  while (!(await iterator.next()).done) count++;
  assert.equal(count, 50);
});

test("a source's error reaches the consumer after the chunks before it", async () => {
  const { source } = recordingSource(10, 100, { failAt: 4 });
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const chunk of readAhead(source, 1000)) seen.push(chunk[0]!);
    })(),
    /source failed at 4/,
  );
  assert.deepEqual(seen, [0, 1, 2, 3]);
});

test("a consumer stopping early stops the pulling and closes the source before its return settles", async () => {
  const { source, state } = recordingSource(1000, 100, { delayMs: 1 });
  for await (const chunk of readAhead(source, 1000)) {
    if (chunk[0] === 2) break;
  }
  assert.equal(state.closed, true);
  const pulled = state.pulled;
  await sleep(20);
  assert.equal(state.pulled, pulled, "nothing is read after the consumer stopped");
  assert.ok(pulled < 20, `pulled ${pulled}`);
});
