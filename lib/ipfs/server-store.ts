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
