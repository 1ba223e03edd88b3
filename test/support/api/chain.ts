import { Web3 } from "web3";
import { doctorContractAbi, patientContractAbi } from "@/lib/chain/generated/contracts";
import { stackUnderTest } from "../stack-env";

let cached: Promise<{ web3: Web3; addresses: { DoctorContract: string; PatientContract: string } }> | undefined;

/** web3 on the test chain, with the contract addresses the app reports in /api/health. */
function chain() {
  cached ??= (async () => {
    const stack = stackUnderTest();
    const health = (await (await fetch(new URL("/api/health", stack.appUrl))).json()) as {
      chain: { contracts: Record<string, { address: string } | undefined> };
    };
    const doctor = health.chain.contracts.DoctorContract?.address;
    const patient = health.chain.contracts.PatientContract?.address;
    if (!doctor || !patient) throw new Error("the app reports no contract addresses");
    return { web3: new Web3(stack.rpcUrl), addresses: { DoctorContract: doctor, PatientContract: patient } };
  })();
  return cached;
}

async function contracts() {
  const { web3, addresses } = await chain();
  return {
    web3,
    patient: new web3.eth.Contract(patientContractAbi, addresses.PatientContract),
    doctor: new web3.eth.Contract(doctorContractAbi, addresses.DoctorContract),
  };
}

const GAS = { gas: "3000000" };

/** `account` registers as a patient with this X25519 public key (0x + 64 hex). */
export async function registerPatient(account: string, publicKey: string): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.registerPatient(publicKey).send({ from: account, ...GAS });
}

/** `account` adds a record for `patient`; returns the record id (decimal string). */
export async function addRecord(account: string, patientAddress: string, cidDigest: string, codec: number): Promise<string> {
  const { patient } = await contracts();
  const receipt = await patient.methods.addRecord(patientAddress, cidDigest, codec).send({ from: account, ...GAS });
  const event = receipt.events?.RecordAdded;
  const recordId = (Array.isArray(event) ? event[0] : event)?.returnValues.recordId;
  if (recordId === undefined) throw new Error("addRecord emitted no RecordAdded");
  return BigInt(recordId as bigint).toString();
}

/** The admin (Ganache account 0) registers `account` as a doctor, who then publishes `publicKey`. */
export async function registerDoctor(admin: string, account: string, publicKey: string): Promise<void> {
  const { doctor } = await contracts();
  const licence = `0x${"ab".repeat(32)}`;
  await doctor.methods.registerDoctor(account, "Dr Test", "Cardiology", licence).send({ from: admin, ...GAS });
  await doctor.methods.setEncryptionKey(publicKey).send({ from: account, ...GAS });
}

/** `patientAccount` grants `doctorAccount` read access to the records (no expiry). */
export async function grantAccess(patientAccount: string, doctorAccount: string, recordIds: string[]): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.grantAccess(doctorAccount, recordIds, 0).send({ from: patientAccount, ...GAS });
}
