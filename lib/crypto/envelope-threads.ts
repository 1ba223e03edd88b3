import { CHUNK_OVERHEAD } from "./envelope-format";
import { chunkOffset, runPlaintextOffset, sealedRunLength } from "./envelope-chunks";
import type { RunJob, RunReply } from "./envelope-thread-job";

/*
 * The file envelope's chunks are independent once the file key is known (each has its own nonce), so a large
 * file is sealed or opened by several threads at once: Web Workers in the browser
 * (browser-envelope-threads.ts), worker threads in Node (node-envelope-threads.ts). Each thread runs libsodium
 * on its own runs of chunks (envelope-thread-job.ts) and the bytes are exactly those of one thread.
 *
 * This thread only cuts the file into runs and puts the answers in place. A run is copied to its thread when
 * that thread is ready for it (at most IN_FLIGHT per thread), so memory stays about the file and its result
 * plus a few runs, whatever the size. If a thread fails, every waiting caller gets the error and the pool is
 * dropped: encryptBytes and decryptBytes then do the file on their own thread, with the same result.
 */

/** One other thread, as the pool drives it. */
export interface EnvelopeThread {
  post(job: RunJob, transfer: ArrayBuffer[]): void;
  /** Busy: it has jobs in flight (Node keeps the process alive only then). */
  setBusy?(busy: boolean): void;
  terminate(): void;
}

/** Starts one thread whose replies go to `onReply`; `onFailure` when it crashes or cannot start. */
export type ThreadFactory = (onReply: (reply: RunReply) => void, onFailure: (error: unknown) => void) => EnvelopeThread;

/** Files from this size go to the threads; below it the messages cost more than they save. */
export const PARALLEL_MIN_BYTES = 256 * 1024;
const IN_FLIGHT = 2;
const MAX_RUN_CHUNKS = 16;

interface Queued {
  prepare(id: number): { job: RunJob; transfer: ArrayBuffer[] };
  resolve(reply: RunReply): void;
  reject(error: unknown): void;
}

interface Slot {
  thread?: EnvelopeThread;
  inFlight: Map<number, Queued>;
}

class ThreadPool {
  private readonly slots: Slot[];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  broken = false;

  constructor(
    private readonly factory: ThreadFactory,
    readonly size: number,
  ) {
    this.slots = Array.from({ length: size }, () => ({ inFlight: new Map() }));
  }

  submit(work: Omit<Queued, "resolve" | "reject">): Promise<RunReply> {
    if (this.broken) return Promise.reject(new Error("the envelope threads failed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...work, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      while (slot.inFlight.size < IN_FLIGHT && this.queue.length > 0 && !this.broken) {
        const work = this.queue.shift()!;
        const id = this.nextId++;
        let prepared: ReturnType<Queued["prepare"]>;
        try {
          prepared = work.prepare(id); // e.g. its caller gave up: only that work fails
        } catch (error) {
          work.reject(error);
          continue;
        }
        try {
          const thread = (slot.thread ??= this.factory(
            (reply) => this.settle(slot, reply),
            (error) => this.fail(error),
          ));
          slot.inFlight.set(id, work);
          if (slot.inFlight.size === 1) thread.setBusy?.(true);
          thread.post(prepared.job, prepared.transfer);
        } catch (error) {
          // The thread cannot start or take messages.
          slot.inFlight.delete(id);
          work.reject(error);
          this.fail(error);
        }
      }
    }
  }

  private settle(slot: Slot, reply: RunReply): void {
    const work = slot.inFlight.get(reply.id);
    if (!work) return;
    slot.inFlight.delete(reply.id);
    if (slot.inFlight.size === 0) slot.thread?.setBusy?.(false);
    work.resolve(reply);
    // After the caller's handler (queued first) has taken the answer in and given back its buffer.
    queueMicrotask(() => this.pump());
  }

  /** A thread crashed: the pool is closed (see close). */
  fail(error: unknown): void {
    if (this.broken) return;
    console.warn(`The file encryption threads stopped (${error instanceof Error ? error.message : String(error)}); files are now encrypted on the calling thread.`);
    this.close(error);
  }

  /** Stops every thread; each caller still waiting gets `reason` (and does its file on its own thread). */
  close(reason: unknown = new Error("the envelope threads were stopped")): void {
    this.broken = true;
    const waiting = [...this.queue.splice(0), ...this.slots.flatMap((slot) => [...slot.inFlight.values()])];
    for (const slot of this.slots) {
      slot.inFlight.clear();
      slot.thread?.terminate();
      slot.thread = undefined;
    }
    for (const work of waiting) work.reject(reason);
  }
}

let pool: ThreadPool | null = null;

/**
 * Lets encryptBytes and decryptBytes use `count` threads made by `factory` (started on first use). Fewer than
 * two threads would gain nothing: then, and until this is called, everything runs on the caller's thread.
 */
export function setEnvelopeThreads(factory: ThreadFactory, count: number): void {
  pool?.close();
  pool = count >= 2 ? new ThreadPool(factory, count) : null;
}

/**
 * Starts every thread and lets each load its cryptography now (a page calls this when a form that will
 * encrypt opens), so the first file does not wait for it. Resolves when all are ready; never rejects.
 */
export async function warmEnvelopeThreads(): Promise<void> {
  const threads = pool;
  if (!threads || threads.broken) return;
  const empty = () => ({
    // An empty run that is not the end of a file: nothing to seal, only the thread's set-up.
    prepare: (id: number) => ({ job: { id, op: "seal" as const, key: new Uint8Array(32), noncePrefix: new Uint8Array(16), chunkSize: 1, firstIndex: 0, endsFile: false, data: new Uint8Array(0) }, transfer: [] }),
  });
  await Promise.allSettled(Array.from({ length: threads.size * IN_FLIGHT }, () => threads.submit(empty())));
}

/** Stops the threads; later calls run on the caller's thread. */
export function stopEnvelopeThreads(): void {
  pool?.close();
  pool = null;
}

/** How many threads seal and open large files now (0: the caller's thread does). */
export const envelopeThreadCount = (): number => (pool && !pool.broken ? pool.size : 0);

function livePool(): ThreadPool {
  if (!pool || pool.broken) throw new Error("no envelope threads");
  return pool;
}

/*
 * Run buffers go to a thread and come back (transferred, not copied), and are used again for the next run:
 * a fresh buffer costs a page fault per 4 KiB on its first write, about as much as the copy itself. A spare
 * holds only ciphertext (a sealed run) or zeros (an opened run, wiped).
 */
const MAX_SPARE_BUFFERS = 8;
const spareBuffers: ArrayBuffer[] = [];

function runBuffer(length: number): Uint8Array<ArrayBuffer> {
  const index = spareBuffers.findIndex((buffer) => buffer.byteLength === length);
  return new Uint8Array(index >= 0 ? spareBuffers.splice(index, 1)[0]! : new ArrayBuffer(length));
}

function keepBuffer(buffer: ArrayBuffer): void {
  if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffer);
}

/** Chunks per run: about four runs per thread, so that threads that run slower get fewer. */
function runChunks(chunks: number, threads: number): number {
  return Math.min(MAX_RUN_CHUNKS, Math.max(4, Math.ceil(chunks / (threads * 4))));
}

/** Whether a call should go to the threads. */
export const shouldUseThreads = (bytes: number): boolean => bytes >= PARALLEL_MIN_BYTES && envelopeThreadCount() > 0;

/**
 * The plaintext of a file, read once from the front: `next` fills `into` with the bytes that follow (all of
 * them, or it throws). A byte array or a file being read (encrypt-stream.ts).
 */
export interface PlaintextReader {
  next(into: Uint8Array): void | Promise<void>;
}

/**
 * Reads the next `length` plaintext bytes into `run` (a run of `count` chunks laid out as sealed), each chunk's
 * bytes where its box's data goes (runPlaintextOffset), ready to be sealed in place.
 */
export async function readRun(plaintext: PlaintextReader, run: Uint8Array, chunkSize: number, count: number, length: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    const at = runPlaintextOffset(k, chunkSize);
    await plaintext.next(run.subarray(at, at + Math.min(chunkSize, length - k * chunkSize)));
  }
}

/**
 * Seals the `length` bytes that `plaintext` reads into `out` (the envelope, its header already written) on
 * the threads. Each run is read straight into the buffer that goes to its thread, a few runs ahead of the
 * threads, so no other copy of the file is made. Rejects when reading fails, a thread fails (`out` is then
 * incomplete) or `signal` aborts; no run is left writing into `out` by then.
 */
export async function sealOnThreads(
  key: Uint8Array,
  noncePrefix: Uint8Array,
  chunkSize: number,
  length: number,
  plaintext: PlaintextReader,
  out: Uint8Array,
  options: { onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const threads = livePool();
  const chunks = Math.max(1, Math.ceil(length / chunkSize));
  const perRun = runChunks(chunks, threads.size);
  // Enough read runs to keep every thread busy, plus the one waiting for a thread to be free.
  const readAhead = threads.size * IN_FLIGHT + 1;
  let done = 0;
  let unsettled = 0;
  let failed = false;
  let runSettled: (() => void) | undefined;
  const runs: Promise<void>[] = [];
  try {
    for (let first = 0; first < chunks && !failed; first += perRun) {
      while (unsettled >= readAhead) await new Promise<void>((resolve) => (runSettled = resolve));
      if (failed) break;
      options.signal?.throwIfAborted();
      const count = Math.min(perRun, chunks - first);
      const start = first * chunkSize;
      const end = Math.min(start + count * chunkSize, length);
      const endsFile = first + count === chunks;
      // The run as it will be sealed, each chunk's plaintext read into its place (sealed there, not copied again).
      const data = runBuffer(sealedRunLength(end - start, chunkSize, endsFile));
      try {
        await readRun(plaintext, data, chunkSize, count, end - start);
      } catch (error) {
        data.fill(0);
        throw error;
      }
      unsettled++;
      const run = threads
        .submit({
          prepare: (id) => {
            options.signal?.throwIfAborted();
            const job: RunJob = { id, op: "seal", key: key.slice(), noncePrefix: noncePrefix.slice(), chunkSize, firstIndex: first, endsFile, data };
            return { job, transfer: [data.buffer, job.key.buffer as ArrayBuffer] };
          },
        })
        .then(
          (reply) => {
            if (!("data" in reply)) throw new Error("error" in reply ? reply.error : "a run of the envelope was not sealed");
            out.set(reply.data, chunkOffset(first, chunkSize));
            keepBuffer(reply.data.buffer as ArrayBuffer);
            done += end - start;
            options.onProgress?.(done);
          },
          (error: unknown) => {
            if (data.byteLength > 0) data.fill(0); // never sent (a sent buffer is detached here): it holds plaintext
            throw error;
          },
        )
        .catch((error: unknown) => {
          failed = true;
          throw error;
        })
        .finally(() => {
          unsettled--;
          runSettled?.();
          runSettled = undefined;
        });
      run.catch(() => undefined); // seen by settleAll below; not an unhandled rejection meanwhile
      runs.push(run);
    }
  } finally {
    // Whatever happened above, no run still writes into `out` once this returns.
    await Promise.allSettled(runs);
  }
  await settleAll(runs);
}

/**
 * Opens the first `chunks` chunks of `envelope` (layout already checked, plaintext `plaintextLength` bytes)
 * into `out` on the threads. Returns the index of the first chunk that does not authenticate, or -1.
 */
export async function openOnThreads(
  key: Uint8Array,
  noncePrefix: Uint8Array,
  chunkSize: number,
  envelope: Uint8Array,
  chunks: number,
  plaintextLength: number,
  out: Uint8Array,
): Promise<number> {
  const threads = livePool();
  const perRun = runChunks(chunks, threads.size);
  const failures: number[] = [];
  const runs: Promise<void>[] = [];
  for (let first = 0; first < chunks; first += perRun) {
    const count = Math.min(perRun, chunks - first);
    const runPlaintext = Math.min(count * chunkSize, plaintextLength - first * chunkSize);
    const start = chunkOffset(first, chunkSize);
    const end = start + runPlaintext + count * CHUNK_OVERHEAD;
    const run = threads
      .submit({
        prepare: (id) => {
          const data = runBuffer(end - start); // a copy of its own (a Buffer's slice would share)
          data.set(envelope.subarray(start, end));
          const job: RunJob = { id, op: "open", key: key.slice(), noncePrefix: noncePrefix.slice(), chunkSize, firstIndex: first, count, plaintextLength: runPlaintext, data };
          return { job, transfer: [data.buffer, job.key.buffer as ArrayBuffer] };
        },
      })
      .then((reply) => {
        if ("failedChunk" in reply) failures.push(reply.failedChunk);
        else if ("data" in reply) {
          out.set(reply.data, first * chunkSize);
          const buffer = new Uint8Array(reply.data.buffer as ArrayBuffer);
          buffer.fill(0); // it held plaintext
          keepBuffer(buffer.buffer);
        } else throw new Error(reply.error);
      });
    runs.push(run);
  }
  await settleAll(runs);
  return failures.length > 0 ? Math.min(...failures) : -1;
}

/** Waits for every run (none is left writing into `out` afterwards), then throws the first failure. */
async function settleAll(runs: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(runs);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}
