import { ChainError, revokeAccess, revokeAllAccess, type BrowserChain, type TxReceipt, type TxStatus } from "@/lib/chain/client";
import { pruneShares } from "./api";

/** Every grant a doctor holds from the patient, or some records only. */
export type RevokeScope = { kind: "all" } | { kind: "records"; recordIds: readonly string[] };

export type RevokeProgress = { step: "sign"; tx: TxStatus } | { step: "prune"; attempt: number } | { step: "done"; deleted: number };

/** A revocation that did not complete. `revoked`: the revocation is on chain (only the key clean-up failed). */
export class RevokeError extends Error {
  override name = "RevokeError";
  constructor(
    message: string,
    readonly step: "sign" | "prune",
    readonly revoked: boolean,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

const PRUNE_RETRY_DELAYS_MS = [1_000, 3_000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks the server to delete the doctor's wrapped keys the chain no longer allows (a few tries). Throws a
 * RevokeError (step "prune", revoked true) when it gives up: the revocation holds anyway, since the server
 * releases a key only when the chain allows it.
 */
export async function pruneAfterRevoke(doctor: string, scope: RevokeScope, onProgress?: (progress: RevokeProgress) => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    onProgress?.({ step: "prune", attempt });
    try {
      return await pruneShares(doctor, scope.kind === "records" ? scope.recordIds : undefined);
    } catch (error) {
      const delay = PRUNE_RETRY_DELAYS_MS[attempt - 1];
      if (delay !== undefined) {
        await sleep(delay);
        continue;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new RevokeError(
        `The revocation is on chain and the key store already refuses this doctor. Deleting the doctor's keys failed (${reason.replace(/\.$/, "")}); use “Retry clean-up”.`,
        "prune",
        true,
        error,
      );
    }
  }
}

/**
 * The revoke flow: 1. sign the revocation (revokeAllAccess, or revokeAccess for some records, which also
 * excludes them from an all-records grant) -> 2. once it is mined, the server deletes the doctor's wrapped keys
 * on the records the chain no longer lets them read. Nothing is deleted before the chain says so.
 */
export async function revokeFromDoctor(
  args: { chain: BrowserChain; doctor: string; scope: RevokeScope },
  onProgress: (progress: RevokeProgress) => void,
): Promise<{ deleted: number; txHash: string }> {
  const { chain, scope } = args;
  const doctor = args.doctor.toLowerCase();
  if (scope.kind === "records" && scope.recordIds.length === 0) throw new RevokeError("Choose at least one record to revoke.", "sign", false);

  // 1. Sign the revocation.
  let receipt: TxReceipt;
  try {
    const onStatus = (tx: TxStatus) => onProgress({ step: "sign", tx });
    receipt = scope.kind === "all" ? await revokeAllAccess(chain, doctor, onStatus) : await revokeAccess(chain, doctor, scope.recordIds, onStatus);
  } catch (error) {
    const reason = error instanceof ChainError ? error.message.replace(/\.$/, "") : `The transaction failed (${String(error)})`;
    if (error instanceof ChainError && !error.mayBeOnChain) throw new RevokeError(`${reason}. Nothing was revoked.`, "sign", false, error);
    const hash = error instanceof ChainError && error.txHash ? ` (transaction ${error.txHash})` : "";
    throw new RevokeError(`${reason}. The revocation may still be recorded${hash}; check this page again in a few minutes.`, "sign", false, error);
  }

  // 2. Mined: the server deletes the keys the chain no longer allows.
  const deleted = await pruneAfterRevoke(doctor, scope, onProgress);
  onProgress({ step: "done", deleted });
  return { deleted, txHash: receipt.transactionHash };
}
