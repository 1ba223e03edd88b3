import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { CONTRACT_NAMES, type ContractAddresses } from "./artifacts";

/**
 * Committed deployments of non-local networks, one `<chainId>.json` ({ DoctorContract, PatientContract }) per
 * chain, written by `npm run deploy:production` and read into the generated module, so a fresh clone finds
 * them without the git-ignored lib/chain/generated/contracts.ts. See deployments/README.md.
 */
export const DEPLOYMENTS_DIR = path.join(process.cwd(), "deployments");

/** The embedded Ganache's chain id: its contracts live in DATA_DIR/deployment.json, never in deployments/. */
export const LOCAL_CHAIN_ID = 1337;

const FILE_PATTERN = /^([1-9]\d*)\.json$/;
const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/** Checks one file's content; the message names the file and what is wrong with it. */
export function parseDeployment(file: string, text: string): ContractAddresses {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${file} must hold { "DoctorContract": "0x…", "PatientContract": "0x…" }.`);
  const entries = value as Record<string, unknown>;
  const unknown = Object.keys(entries).filter((key) => !(CONTRACT_NAMES as readonly string[]).includes(key));
  if (unknown.length) throw new Error(`${file} names unknown contracts: ${unknown.join(", ")}.`);
  for (const name of CONTRACT_NAMES) {
    const address = entries[name];
    if (typeof address !== "string" || !ADDRESS_PATTERN.test(address)) throw new Error(`${file}: ${name} must be a 0x-prefixed 20-byte hex address.`);
  }
  return Object.fromEntries(CONTRACT_NAMES.map((name) => [name, entries[name]])) as ContractAddresses;
}

/** Every `<chainId>.json` in `dir` (none when the folder is missing); a local-chain file is ignored. */
export async function readDeployments(dir = DEPLOYMENTS_DIR): Promise<Record<number, ContractAddresses>> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  const deployments: Record<number, ContractAddresses> = {};
  for (const file of files.sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    const chainId = Number(match[1]);
    if (chainId === LOCAL_CHAIN_ID) continue;
    deployments[chainId] = parseDeployment(path.join(dir, file), await readFile(path.join(dir, file), "utf8"));
  }
  return deployments;
}

/** Writes `<chainId>.json`; returns its path. The local chain is refused: its addresses change with every fresh chain. */
export async function writeDeployment(chainId: number, addresses: ContractAddresses, dir = DEPLOYMENTS_DIR): Promise<string> {
  if (chainId === LOCAL_CHAIN_ID) throw new Error(`Chain ${LOCAL_CHAIN_ID} is the local development chain; its deployment is not committed.`);
  const file = path.join(dir, `${chainId}.json`);
  const content = Object.fromEntries(CONTRACT_NAMES.map((name) => [name, addresses[name]]));
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(content, null, 2) + "\n");
  return file;
}
