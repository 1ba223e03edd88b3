import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import nacl from "tweetnacl";
import { CryptoError, decryptBytes, decryptStream, encryptBytes, encryptFile, encryptStream, randomDataKey } from "../../lib/crypto";
import { ByteReader, collectBytes } from "../../lib/crypto/byte-reader";
import { envelopeLayout, openChunks } from "../../lib/crypto/envelope-chunks";
import { chunkNonce, chunkWord, encryptedSize, HEADER_LENGTH } from "../../lib/crypto/envelope-format";
import {
  envelopeThreadCount,
  openOnThreads,
  PARALLEL_MIN_BYTES,
  sealOnThreads,
  setEnvelopeThreads,
  stopEnvelopeThreads,
  type PlaintextReader,
} from "../../lib/crypto/envelope-threads";
import { startNodeEnvelopeThreads } from "../../lib/crypto/node-envelope-threads";
import { keyedSecretbox, secretboxReady } from "../../lib/crypto/secretbox";

// The file envelope on several threads (lib/crypto/envelope-threads.ts, here Node's worker threads; the
// browser's Web Workers run the same jobs): the same bytes as one thread, the same errors, and a thread that
// dies leaves the caller with a correct result from its own thread.
const CHUNK = 64 * 1024;
const key = randomDataKey();

before(async () => {
  await secretboxReady();
  startNodeEnvelopeThreads(2);
});
after(() => stopEnvelopeThreads());

/**
 * The envelope body of `plaintext` under a fixed file key and nonce prefix, chunk by chunk with tweetnacl's
 * secretbox (the reference the format is defined by: word | tag | ciphertext).
 */
function sealedHere(fileKey: Uint8Array, noncePrefix: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(encryptedSize(plaintext.length, CHUNK));
  const chunks = Math.max(1, Math.ceil(plaintext.length / CHUNK));
  for (let index = 0, offset = HEADER_LENGTH; index < chunks; index++) {
    const part = plaintext.subarray(index * CHUNK, (index + 1) * CHUNK);
    const word = chunkWord(part.length, index === chunks - 1);
    new DataView(out.buffer).setUint32(offset, word);
    const box = nacl.secretbox(part, chunkNonce(noncePrefix, index, word), fileKey);
    out.set(box, offset + 4);
    offset += 4 + box.length;
  }
  return out;
}

/** A reader of `plaintext` in slices of random sizes, as a file's stream delivers it. */
function sliced(plaintext: Uint8Array, seed: number): PlaintextReader {
  const reader = new ByteReader(randomSlices(plaintext, seed));
  return {
    next: async (into) => {
      assert.equal(await reader.readInto(into), into.length);
    },
  };
}

function* randomSlices(bytes: Uint8Array, seed: number): Iterable<Uint8Array> {
  let state = seed;
  for (let at = 0; at < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 200_000);
    yield bytes.slice(at, at + size);
    at += size;
  }
}

/** A file for encryptFile that counts how often it is read; `deliver` changes what its reads yield. */
function fileOf(plaintext: Uint8Array, deliver: (bytes: Uint8Array) => Uint8Array = (bytes) => bytes) {
  const file = { size: plaintext.length, opened: 0, open: () => (file.opened++, randomSlices(deliver(plaintext), file.opened)) };
  return file;
}

async function failure(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${String(error)}`);
    return `${error.code}: ${error.message}`;
  }
  return "decrypted";
}

describe("the file envelope on several threads", () => {
  // Around the threads' threshold, runs that end mid-chunk and on a chunk boundary, and 3 MiB (many runs).
  const sizes = [PARALLEL_MIN_BYTES, PARALLEL_MIN_BYTES + 1, 20 * CHUNK, 20 * CHUNK - 7, 3 * 1024 * 1024 + 1];

  for (const size of sizes) {
    it(`seals and opens ${size} bytes exactly as one thread does`, async () => {
      const fileKey = new Uint8Array(randomBytes(32));
      const noncePrefix = new Uint8Array(randomBytes(16));
      const plaintext = new Uint8Array(randomBytes(size));
      const expected = sealedHere(fileKey, noncePrefix, plaintext);
      const onThreads = new Uint8Array(expected.length);
      const progress: number[] = [];
      await sealOnThreads(fileKey, noncePrefix, CHUNK, size, sliced(plaintext, size), onThreads, { onProgress: (done) => progress.push(done) });
      onThreads.set(expected.subarray(0, HEADER_LENGTH)); // the header is the caller's part
      assert.ok(Buffer.from(onThreads).equals(Buffer.from(expected)), "byte for byte");
      assert.equal(progress.at(-1), size);
      assert.ok(progress.every((done, i) => i === 0 || done > progress[i - 1]!), "progress grows");
      if (size > 8 * CHUNK) assert.ok(progress.length > 1, "reported run by run");

      const layout = envelopeLayout(expected, CHUNK);
      const opened = new Uint8Array(layout.plaintextLength);
      assert.equal(await openOnThreads(fileKey, noncePrefix, CHUNK, expected, layout.chunks, layout.plaintextLength, opened), -1);
      assert.ok(Buffer.from(opened).equals(Buffer.from(plaintext)));
      assert.equal(envelopeThreadCount(), 2, "no thread failed");
    });
  }

  it("encryptBytes and decryptBytes on threads interoperate with the one-thread streams", async () => {
    const plaintext = new Uint8Array(randomBytes(2 * 1024 * 1024 + 5));
    const threaded = await encryptBytes(key, plaintext);
    assert.ok(Buffer.from(await collectBytes(decryptStream(key, [threaded]))).equals(Buffer.from(plaintext)));
    const streamed = await collectBytes(encryptStream(key, [plaintext]));
    assert.ok(Buffer.from(await decryptBytes(key, streamed)).equals(Buffer.from(plaintext)));
  });

  it("encryptFile reads the file once, as it seals it, on threads and on one thread alike", async () => {
    for (const size of [0, 1000, PARALLEL_MIN_BYTES + 3, 3 * 1024 * 1024 + 1]) {
      const plaintext = new Uint8Array(randomBytes(size));
      const file = fileOf(plaintext);
      const progress: number[] = [];
      const envelope = await encryptFile(key, file, { onProgress: (done) => progress.push(done) });
      assert.equal(file.opened, 1, `${size} bytes: read once`);
      assert.equal(envelope.length, encryptedSize(size));
      assert.ok(Buffer.from(await collectBytes(decryptStream(key, [envelope]))).equals(Buffer.from(plaintext)), `${size} bytes: opens`);
      assert.equal(progress.at(-1) ?? size, size);
    }
  });

  for (const [change, deliver] of [
    ["shorter", (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 1)],
    ["longer", (bytes: Uint8Array) => Buffer.concat([bytes, new Uint8Array(1)])],
  ] as const) {
    it(`encryptFile rejects a file that turns out ${change} than its size, on threads and on one thread`, async () => {
      for (const size of [3000, 2 * 1024 * 1024]) {
        await assert.rejects(encryptFile(key, fileOf(new Uint8Array(randomBytes(size)), deliver)), { name: "CryptoError", code: "source-changed" });
      }
      assert.equal(envelopeThreadCount(), 2, "a changed file is not a thread failure");
    });
  }

  it("encryptFile: a file whose reading fails halfway rejects with that error, read once, threads untouched", async () => {
    for (const size of [600_000, 3 * 1024 * 1024]) {
      let opened = 0;
      const file = {
        size,
        open: async function* () {
          opened++;
          yield new Uint8Array(size / 3);
          throw new Error("the disk went away");
        },
      };
      await assert.rejects(encryptFile(key, file), /the disk went away/);
      assert.equal(opened, 1, `${size} bytes: not read again`);
    }
    assert.equal(envelopeThreadCount(), 2);
  });

  it("reports the same first problem as one thread and as the stream, for flips, cuts, swaps and extra bytes", async () => {
    const plaintext = new Uint8Array(randomBytes(20 * CHUNK + 100)); // 21 chunks: runs of 3
    const envelope = await encryptBytes(key, plaintext);
    const chunkBytes = 4 + 16 + CHUNK;
    const at = (chunk: number) => HEADER_LENGTH + chunk * chunkBytes;
    const variants: Array<[string, Uint8Array]> = [];
    const flip = (position: number) => {
      const bytes = envelope.slice();
      bytes[position]! ^= 0x10;
      return bytes;
    };
    for (const position of [5, 9, at(0), at(0) + 3, at(0) + 4, at(7) + 30, at(13), at(20) + 2, at(20) + 21, envelope.length - 1]) {
      variants.push([`flip at ${position}`, flip(position)]);
    }
    for (const cut of [at(3), at(3) + 10, at(20), at(20) + 4, envelope.length - 1]) variants.push([`cut at ${cut}`, envelope.slice(0, cut)]);
    const swapped = envelope.slice();
    swapped.set(envelope.subarray(at(9), at(10)), at(10));
    swapped.set(envelope.subarray(at(10), at(11)), at(9));
    variants.push(["chunks 9 and 10 swapped", swapped]);
    // Two problems at once: the earlier one is reported.
    const twice = flip(at(15) + 40);
    twice[at(4) + 50]! ^= 1;
    variants.push(["flips in chunks 4 and 15", twice]);
    const cutAfterFlip = flip(at(2) + 40).slice(0, at(12) + 9);
    variants.push(["a flip in chunk 2, cut in chunk 12", cutAfterFlip]);
    const extra = new Uint8Array(envelope.length + 3);
    extra.set(envelope);
    variants.push(["bytes after the final chunk", extra]);
    variants.push(["the wrong key", envelope]);

    const wrongKey = randomDataKey();
    const keyOf = (name: string) => (name === "the wrong key" ? wrongKey : key);
    const onThreads: string[] = [];
    for (const [name, bytes] of variants) onThreads.push(await failure(() => decryptBytes(keyOf(name), bytes)));
    assert.equal(envelopeThreadCount(), 2, "a failed chunk is an answer, not a thread failure");
    stopEnvelopeThreads();
    try {
      for (const [i, [name, bytes]] of variants.entries()) {
        assert.notEqual(onThreads[i], "decrypted", name);
        assert.equal(onThreads[i], await failure(() => decryptBytes(keyOf(name), bytes)), `${name}: as one thread`);
        assert.equal(onThreads[i], await failure(() => collectBytes(decryptStream(keyOf(name), [bytes]))), `${name}: as the stream`);
      }
    } finally {
      startNodeEnvelopeThreads(2);
    }
  });

  it("a thread that dies leaves the caller a correct result from its own thread, and later calls run there", async () => {
    // Real worker threads that exit at once, as a crashed one would.
    setEnvelopeThreads((_onReply, onFailure) => {
      const worker = new Worker("process.exit(3)", { eval: true });
      worker.on("exit", (code) => onFailure(new Error(`exit ${code}`)));
      return { post: (job, transfer) => worker.postMessage(job, transfer), terminate: () => void worker.terminate() };
    }, 2);
    try {
      const plaintext = new Uint8Array(randomBytes(1024 * 1024));
      const file = fileOf(plaintext);
      const envelope = await encryptFile(key, file);
      assert.equal(envelopeThreadCount(), 0, "the failed pool is dropped");
      assert.equal(file.opened, 2, "the file is read again from the start on this thread");
      assert.ok(Buffer.from(await decryptBytes(key, envelope)).equals(Buffer.from(plaintext)));
      assert.ok(Buffer.from(await decryptBytes(key, await encryptBytes(key, plaintext))).equals(Buffer.from(plaintext)), "later calls run here");
    } finally {
      startNodeEnvelopeThreads(2);
    }
  });

  it("threads stopped while a file is being sealed: the call still ends with the right envelope, from its own thread", async () => {
    const plaintext = new Uint8Array(randomBytes(3 * 1024 * 1024));
    let stopped = false;
    try {
      const envelope = await encryptBytes(key, plaintext, {
        onProgress: () => {
          if (!stopped) stopEnvelopeThreads();
          stopped = true;
        },
      });
      assert.ok(stopped, "stopped after the first run came back");
      assert.equal(envelopeThreadCount(), 0);
      assert.ok(Buffer.from(await decryptBytes(key, envelope)).equals(Buffer.from(plaintext)));
    } finally {
      startNodeEnvelopeThreads(2);
    }
  });

  it("an aborted encryption rejects with the signal's reason and leaves the threads working", async () => {
    const controller = new AbortController();
    controller.abort(new Error("the upload was cancelled"));
    await assert.rejects(encryptBytes(key, new Uint8Array(1024 * 1024), { signal: controller.signal }), /the upload was cancelled/);
    assert.equal(envelopeThreadCount(), 2);
    const plaintext = new Uint8Array(randomBytes(PARALLEL_MIN_BYTES * 2));
    assert.ok(Buffer.from(await decryptBytes(key, await encryptBytes(key, plaintext))).equals(Buffer.from(plaintext)));
  });

  it("the layout check alone finds what one thread finds before opening anything", () => {
    const bytes = new Uint8Array(HEADER_LENGTH + 4);
    new DataView(bytes.buffer).setUint32(HEADER_LENGTH, 5); // a non-final chunk shorter than the chunk size
    const layout = envelopeLayout(bytes, CHUNK);
    assert.deepEqual([layout.chunks, layout.error?.code, layout.error?.message], [0, "tampered", "chunk 0 has an invalid length"]);
    const box = keyedSecretbox(new Uint8Array(32), CHUNK);
    try {
      assert.equal(openChunks(box, new Uint8Array(16), 0, 0, bytes.subarray(HEADER_LENGTH), new Uint8Array(0), 0), -1);
    } finally {
      box.close();
    }
  });
});
