import os from "node:os";
import { Worker } from "node:worker_threads";
import { setEnvelopeThreads } from "./envelope-threads";
import type { RunReply } from "./envelope-thread-job";

/**
 * Node's worker threads for the file envelope (envelope-threads.ts): what the browser does with Web Workers
 * (browser-envelope-threads.ts), for Node callers of encryptBytes/decryptBytes (the benchmarks, the tests).
 * A worker keeps the process alive only while it has work.
 */
export function startNodeEnvelopeThreads(count = Math.min(4, os.availableParallelism())): void {
  setEnvelopeThreads((onReply, onFailure) => {
    const worker = new Worker(workerBootstrap(), { eval: true });
    worker.unref();
    worker.on("message", (reply: RunReply) => onReply(reply));
    worker.on("error", onFailure);
    worker.on("exit", (code) => onFailure(new Error(`an envelope worker stopped (exit code ${code})`)));
    return {
      post: (job, transfer) => worker.postMessage(job, transfer),
      setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => {
        worker.removeAllListeners("exit");
        void worker.terminate();
      },
    };
  }, count);
}

/**
 * The worker's first code: tsx (which runs this TypeScript) does not carry its loader into worker threads, so
 * the worker registers it before it imports its entry.
 */
function workerBootstrap(): string {
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./node-envelope-worker.ts", import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
}
