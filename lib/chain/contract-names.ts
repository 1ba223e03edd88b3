import type { ContractName } from "./generated/contracts";

export const CONTRACT_NAMES: readonly ContractName[] = ["DoctorContract", "PatientContract"];
