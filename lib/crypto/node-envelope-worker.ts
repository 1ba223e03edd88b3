// A Node worker thread of the file envelope (node-envelope-threads.ts): runs each job it is sent.
import { parentPort } from "node:worker_threads";
import { runJob, type RunJob } from "./envelope-thread-job";

const port = parentPort;
if (!port) throw new Error("node-envelope-worker.ts runs as a worker thread");
port.on("message", (job: RunJob) => {
  void runJob(job).then(({ reply, transfer }) => port.postMessage(reply, transfer));
});
