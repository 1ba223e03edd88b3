export type { AddResult, IpfsStore, OpenIpfsStoreOptions } from "./ipfs-store";
export { openIpfsStore } from "./open-ipfs-store";
export { IpfsError, IpfsInvalidCidError, IpfsNotFoundError, IpfsRepoError, IpfsUnavailableError } from "./errors";
