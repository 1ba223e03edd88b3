import { setEnvelopeThreads } from "./envelope-threads";
import type { RunReply } from "./envelope-thread-job";

let started = false;

/**
 * Web Workers for the file envelope (envelope-threads.ts): a large file is sealed or opened by up to four
 * of them at once (one per core), started on first use. Safe to call often; does nothing outside a browser
 * or with fewer than two cores. If a worker cannot start (a browser without workers, a policy that refuses
 * them), the envelope runs on the page's thread, with the same bytes.
 */
export function startBrowserEnvelopeThreads(): void {
  // Once per page: after a failure the page's thread does the work until the page is loaded again.
  if (started || typeof window === "undefined" || typeof Worker === "undefined") return;
  started = true;
  setEnvelopeThreads((onReply, onFailure) => {
    const worker = new Worker(new URL("./envelope.worker.ts", import.meta.url));
    worker.onmessage = (event: MessageEvent<RunReply>) => onReply(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      onFailure(new Error(event.message || "an envelope worker failed"));
    };
    worker.onmessageerror = () => onFailure(new Error("an envelope worker's answer could not be read"));
    return { post: (job, transfer) => worker.postMessage(job, transfer), terminate: () => worker.terminate() };
  }, Math.min(4, navigator.hardwareConcurrency || 1));
}
