import "server-only";
import { getEnv } from "@/lib/config";
import { deploymentFor, type ContractAddresses } from "@/lib/chain/deployment";

/** Addresses from the environment when both are set, else the ones recorded at build time for CHAIN_ID. */
export function configuredDeployment(): ContractAddresses | undefined {
  const env = getEnv();
  if (env.DOCTOR_CONTRACT_ADDRESS && env.PATIENT_CONTRACT_ADDRESS) {
    return { DoctorContract: env.DOCTOR_CONTRACT_ADDRESS as `0x${string}`, PatientContract: env.PATIENT_CONTRACT_ADDRESS as `0x${string}` };
  }
  return deploymentFor(env.CHAIN_ID);
}
