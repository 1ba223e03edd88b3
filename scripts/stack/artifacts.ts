import { readFile } from "node:fs/promises";
import path from "node:path";

export const CONTRACT_NAMES = ["DoctorContract", "PatientContract"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];
export type Address = `0x${string}`;
export type ContractAddresses = Record<ContractName, Address>;

export interface Artifact {
  contractName: string;
  abi: unknown[];
  deployedBytecode: string;
  networks: Record<string, { address: Address } | undefined>;
}

export const BUILD_DIR = path.join(process.cwd(), "build", "contracts");

export async function readArtifact(name: ContractName): Promise<Artifact> {
  const file = path.join(BUILD_DIR, `${name}.json`);
  return JSON.parse(await readFile(file, "utf8")) as Artifact;
}

export async function readArtifacts(): Promise<Record<ContractName, Artifact>> {
  const entries = await Promise.all(CONTRACT_NAMES.map(async (name) => [name, await readArtifact(name)] as const));
  return Object.fromEntries(entries) as Record<ContractName, Artifact>;
}
