import { Web3 } from "web3";
import { doctorContractAbi, patientContractAbi } from "@/lib/chain/generated/contracts";
import { stackUnderTest } from "../stack-env";
import { rpc } from "./api-client";

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

/**
 * The admin (Ganache account 0) registers `account` as a doctor, who then publishes `publicKey` (unless it is
 * undefined: a doctor without a key yet).
 */
export async function registerDoctor(
  admin: string,
  account: string,
  publicKey: string | undefined,
  entry: { name?: string; specialty?: string } = {},
): Promise<void> {
  const { doctor } = await contracts();
  const licence = `0x${"ab".repeat(32)}`;
  await doctor.methods.registerDoctor(account, entry.name ?? "Dr Test", entry.specialty ?? "Cardiology", licence).send({ from: admin, ...GAS });
  if (publicKey !== undefined) await setDoctorKey(account, publicKey);
}

/** The doctor publishes (or rotates) their encryption key on chain. */
export async function setDoctorKey(account: string, publicKey: string): Promise<void> {
  const { doctor } = await contracts();
  await doctor.methods.setEncryptionKey(publicKey).send({ from: account, ...GAS });
}

export async function deactivateDoctor(admin: string, account: string): Promise<void> {
  const { doctor } = await contracts();
  await doctor.methods.deactivateDoctor(account).send({ from: admin, ...GAS });
}

export async function reactivateDoctor(admin: string, account: string): Promise<void> {
  const { doctor } = await contracts();
  await doctor.methods.reactivateDoctor(account).send({ from: admin, ...GAS });
}

/** `patientAccount` grants `doctorAccount` read access to the records until `expiresAt` (unix seconds; 0 = no expiry). */
export async function grantAccess(patientAccount: string, doctorAccount: string, recordIds: string[], expiresAt = 0): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.grantAccess(doctorAccount, recordIds, expiresAt).send({ from: patientAccount, ...GAS });
}

/** `patientAccount` grants `doctorAccount` all records, including future ones, until `expiresAt` (0 = no expiry). */
export async function grantAllAccess(patientAccount: string, doctorAccount: string, expiresAt = 0): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.grantAllAccess(doctorAccount, expiresAt).send({ from: patientAccount, ...GAS });
}

/** Changes the expiry of `patientAccount`'s all-records grant to `doctorAccount`, keeping its exclusions. */
export async function updateAllAccessExpiry(patientAccount: string, doctorAccount: string, expiresAt: number): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.updateAllAccessExpiry(doctorAccount, expiresAt).send({ from: patientAccount, ...GAS });
}

export async function revokeAccess(patientAccount: string, doctorAccount: string, recordIds: string[]): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.revokeAccess(doctorAccount, recordIds).send({ from: patientAccount, ...GAS });
}

export async function revokeAllAccess(patientAccount: string, doctorAccount: string): Promise<void> {
  const { patient } = await contracts();
  await patient.methods.revokeAllAccess(doctorAccount).send({ from: patientAccount, ...GAS });
}

/** `account` logs on chain that it opens the record (RecordAccessed); returns the transaction hash. */
export async function logAccess(account: string, recordId: string): Promise<string> {
  const { patient } = await contracts();
  const receipt = await patient.methods.logAccess(recordId).send({ from: account, ...GAS });
  return String(receipt.transactionHash).toLowerCase();
}

/** canRead as the chain answers it at the latest block (eth_call, nothing mined). */
export async function chainCanRead(reader: string, recordId: string): Promise<boolean> {
  const { patient } = await contracts();
  return Boolean(await patient.methods.canRead(reader, recordId).call());
}

/** The latest block's timestamp (unix seconds). */
export async function latestBlockTime(): Promise<number> {
  const { web3 } = await chain();
  return Number((await web3.eth.getBlock("latest")).timestamp);
}

/** Moves the chain's clock forward by `seconds` and mines a block at the new time. */
export async function increaseChainTime(seconds: number): Promise<void> {
  await rpc("evm_increaseTime", [seconds]);
  await rpc("evm_mine", []);
}
