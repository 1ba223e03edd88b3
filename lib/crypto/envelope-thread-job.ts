import { openChunks, sealRunInPlace } from "./envelope-chunks";
import { keyedSecretbox, secretboxReady } from "./secretbox";

/** A run of chunks for another thread to seal or open under a file key (envelope-threads.ts). */
export type RunJob = {
  id: number;
  /** The file key; the thread wipes its copy when done. */
  key: Uint8Array;
  noncePrefix: Uint8Array;
  chunkSize: number;
  firstIndex: number;
  /**
   * Seal: the run laid out as sealed, each chunk's plaintext in its place (envelope-chunks.ts
   * runPlaintextOffset), sealed in place and sent back. Open: the run's chunks as they stand in the envelope.
   * Transferred, not shared.
   */
  data: Uint8Array;
} & ({ op: "seal"; endsFile: boolean } | { op: "open"; count: number; plaintextLength: number });

/** The sealed or opened run, or the first chunk that did not authenticate, or what went wrong. */
export type RunReply = { id: number } & ({ data: Uint8Array } | { failedChunk: number } | { error: string });

/** Runs one job on this thread (the body of every envelope worker); never throws. */
export async function runJob(job: RunJob): Promise<{ reply: RunReply; transfer: ArrayBuffer[] }> {
  try {
    await secretboxReady();
    const box = keyedSecretbox(job.key, job.chunkSize);
    try {
      if (job.op === "seal") {
        sealRunInPlace(box, job.noncePrefix, job.chunkSize, job.firstIndex, job.data, job.endsFile);
        return { reply: { id: job.id, data: job.data }, transfer: [job.data.buffer as ArrayBuffer] };
      }
      // Opened in place: each chunk's plaintext moves to the front (openInto copies a box in before it
      // writes, and no chunk's plaintext reaches a later chunk's box).
      const failedChunk = openChunks(box, job.noncePrefix, job.firstIndex, job.count, job.data, job.data, 0);
      if (failedChunk >= 0) {
        job.data.fill(0);
        return { reply: { id: job.id, failedChunk }, transfer: [] };
      }
      return { reply: { id: job.id, data: job.data.subarray(0, job.plaintextLength) }, transfer: [job.data.buffer as ArrayBuffer] };
    } finally {
      box.close();
    }
  } catch (error) {
    return { reply: { id: job.id, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
  } finally {
    job.key.fill(0);
  }
}
