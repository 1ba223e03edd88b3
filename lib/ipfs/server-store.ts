import "server-only";
import path from "node:path";
import { getEnv } from "@/lib/config";
import { openIpfsStore, type IpfsStore } from "./index";

let shared: Promise<IpfsStore> | undefined;

/** The app server's one store: Kubo when IPFS_API_URL is set, else the embedded store in DATA_DIR/ipfs. */
export function getIpfsStore(): Promise<IpfsStore> {
  if (!shared) {
    const env = getEnv();
    shared = openIpfsStore({ apiUrl: env.IPFS_API_URL, repoPath: path.resolve(env.DATA_DIR, "ipfs") });
    // A failed open must not be cached forever: the next request tries again.
    shared.catch(() => (shared = undefined));
  }
  return shared;
}

/**
 * The content under `cid` from the app's store as a web stream for a response body. The first read happens
 * here, so a missing CID fails before the response starts; the rest is read as the client takes it.
 */
export async function catStream(cid: string): Promise<ReadableStream<Uint8Array>> {
  const chunks = (await getIpfsStore()).cat(cid)[Symbol.asyncIterator]();
  const first = await chunks.next();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      if (first.done) return;
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}
