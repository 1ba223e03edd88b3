import type { IpfsStore, OpenIpfsStoreOptions } from "./ipfs-store";

/**
 * Opens the Kubo backend when `apiUrl` is set, else the embedded store in `repoPath`.
 * Each backend is imported only when chosen, so the other's dependencies never load.
 * Opening Kubo does not contact it: call ping() to check it is up.
 */
export async function openIpfsStore(options: OpenIpfsStoreOptions): Promise<IpfsStore> {
  if (options.apiUrl) {
    const { KuboIpfsStore } = await import("./kubo/kubo-store");
    return KuboIpfsStore.connect(options.apiUrl);
  }
  const { EmbeddedIpfsStore } = await import("./embedded/embedded-store");
  return EmbeddedIpfsStore.open(options.repoPath);
}
