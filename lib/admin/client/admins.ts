import { adminCount, isAdmin, removeAdmin as removeOnChain, ChainError, type BrowserChain, type TxStatus } from "@/lib/chain/client";

/**
 * Removes an administrator, after checking on chain what the contract would refuse, in plain words and
 * before the wallet is asked: an address that is not an administrator, or the last administrator.
 */
export async function removeAdministrator(chain: BrowserChain, account: string, onStatus?: (status: TxStatus) => void) {
  const [admin, count] = await Promise.all([isAdmin(chain, account), adminCount(chain)]);
  if (!admin) throw new ChainError(`${account} is not an administrator.`, "failed", undefined, { mayBeOnChain: false });
  if (count <= 1) {
    throw new ChainError("This is the last administrator: it cannot be removed. Add another administrator first.", "failed", "DoctorContractLastAdmin", {
      mayBeOnChain: false,
    });
  }
  return removeOnChain(chain, account, onStatus);
}
