// A Web Worker of the file envelope (browser-envelope-threads.ts): runs each job it is sent.
import { runJob, type RunJob } from "./envelope-thread-job";

// The worker's global scope (the "webworker" lib is not in this project's tsconfig).
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<RunJob>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};
scope.onmessage = (event) => {
  void runJob(event.data).then(({ reply, transfer }) => scope.postMessage(reply, transfer));
};
