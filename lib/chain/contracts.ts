import { Contract, type Web3 } from "web3";
import { doctorContractAbi, patientContractAbi } from "./generated/contracts";
import type { ContractAddresses } from "./deployment";

/** Typed contract handles on any web3 (HTTP on the server, the wallet in the browser). */
export function contractsAt(web3: Web3, addresses: ContractAddresses) {
  return {
    doctor: new web3.eth.Contract(doctorContractAbi, addresses.DoctorContract),
    patient: new web3.eth.Contract(patientContractAbi, addresses.PatientContract),
  };
}

export type EhrContracts = ReturnType<typeof contractsAt>;
export type DoctorContractHandle = Contract<typeof doctorContractAbi>;
export type PatientContractHandle = Contract<typeof patientContractAbi>;
