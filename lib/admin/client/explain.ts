import { ChainError } from "@/lib/chain/client";
import { ApiClientError } from "@/lib/api/client/http";

/** What each DoctorContract refusal means for the administrator. */
const CONTRACT_ERRORS: Record<string, string> = {
  DoctorContractUnauthorized: "Your wallet is not an administrator (any more).",
  DoctorContractZeroAddress: "The zero address cannot be used.",
  DoctorContractAlreadyAdmin: "This address is already an administrator.",
  DoctorContractNotAdmin: "This address is not an administrator.",
  DoctorContractLastAdmin: "This is the last administrator: it cannot be removed. Add another administrator first.",
  DoctorContractAlreadyRegistered: "This address is already registered as a doctor (a deactivated doctor is reactivated, not registered again).",
  DoctorContractNotRegistered: "This address is not registered as a doctor.",
  DoctorContractAlreadyActive: "This doctor is already active.",
  DoctorContractAlreadyInactive: "This doctor is already deactivated.",
  DoctorContractInvalidName: "The name must be 1 to 100 bytes long.",
  DoctorContractInvalidSpecialty: "The specialty must be 1 to 100 bytes long.",
  DoctorContractInvalidLicenceHash: "The licence hash is empty.",
};

/** One sentence for any failure of an admin action: contract refusal (with its custom error), wallet, or API. */
export function explainAdminError(error: unknown): string {
  if (error instanceof ChainError) {
    const meaning = error.errorName ? CONTRACT_ERRORS[error.errorName] : undefined;
    if (meaning && error.kind === "reverted") return `${meaning} (${error.message.replace(/^The contract refused: /, "")})`;
    if (error.kind === "rejected") return "You rejected the transaction in your wallet: nothing changed.";
    return error.message;
  }
  if (error instanceof ApiClientError) {
    if (error.status === 401) return "Your session has ended. Sign in again, then retry.";
    if (error.status === 403) return `The server refused: ${error.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
