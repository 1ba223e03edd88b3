import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { BUILD_DIR, readArtifacts, CONTRACT_NAMES, type ContractAddresses, type Artifact, type ContractName } from "./artifacts";
import { runTruffle } from "./truffle";
import { moduleDeployment, writeContractsModule } from "./contracts-module";

export interface DeployOptions {
  rpcUrl: string;
  chainId: number;
  /** JSON file beside the chain data recording what was deployed there. */
  recordPath: string;
  truffleEnv?: Record<string, string | undefined>;
}

export interface DeployResult {
  addresses: ContractAddresses;
  migrated: boolean;
}

// Beside build/contracts, not in it: Truffle reads every .json file there as an artifact.
const COMPILE_FINGERPRINT = path.join(BUILD_DIR, "..", ".ehr-compile-fingerprint.json");

/** SHA-256 over the contract sources, truffle-config.js (compiler settings) and the lock file (solc, truffle). */
async function contractsFingerprint(): Promise<string> {
  const root = process.cwd();
  const sources = (await readdir(path.join(root, "contracts"), { recursive: true }))
    .filter((file) => file.endsWith(".sol"))
    .sort()
    .map((file) => path.join("contracts", file));
  const hash = createHash("sha256");
  for (const file of [...sources, "truffle-config.js", "package-lock.json"]) {
    const content = await readFile(path.join(root, file)).catch(() => Buffer.alloc(0));
    hash.update(`${file}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest("hex");
}

async function artifactsMatch(fingerprint: string): Promise<boolean> {
  if (!CONTRACT_NAMES.every((name) => existsSync(path.join(BUILD_DIR, `${name}.json`)))) return false;
  try {
    return (JSON.parse(await readFile(COMPILE_FINGERPRINT, "utf8")) as { fingerprint?: unknown }).fingerprint === fingerprint;
  } catch {
    return false;
  }
}

/**
 * Compiles with the local solc package (see truffle-config.js) and regenerates the typed module's ABIs.
 * `onCompile` is called when Truffle really runs (the sources or compiler settings changed).
 */
export async function compileContracts(onCompile?: () => void): Promise<Record<ContractName, Artifact>> {
  // Starting Truffle costs seconds even when it has nothing to compile: skip it when the contract sources
  // and the compiler settings are what the artifacts were compiled from.
  const fingerprint = await contractsFingerprint();
  if (!(await artifactsMatch(fingerprint))) {
    onCompile?.();
    await runTruffle(["compile", "--quiet"]);
    await writeFile(COMPILE_FINGERPRINT, JSON.stringify({ fingerprint }) + "\n");
  }
  const artifacts = await readArtifacts();
  await writeContractsModule(artifacts);
  return artifacts;
}

/**
 * Whether this start will most likely neither compile nor deploy: the artifacts were compiled from today's
 * contract sources, and the deployment recorded beside the chain data is the one the typed module (so the
 * app's build) holds. Read from files only, before the chain runs; deployContracts still checks the chain.
 */
export async function contractsLookCurrent(recordPath: string, chainId: number): Promise<boolean> {
  const [compiled, recorded, inModule] = await Promise.all([
    contractsFingerprint().then(artifactsMatch),
    readDeploymentRecord(recordPath, chainId),
    moduleDeployment(chainId),
  ]);
  return compiled && recorded !== undefined && inModule !== undefined && CONTRACT_NAMES.every((name) => recorded[name] === inModule[name]);
}

/**
 * Migrates only when the chain does not already run the current bytecode at the recorded addresses,
 * so restarting keeps every record and grant; then writes the typed module with the addresses.
 */
export async function deployContracts(options: DeployOptions): Promise<DeployResult> {
  const artifacts = await readArtifacts();
  const recorded = await readDeploymentRecord(options.recordPath, options.chainId);
  let addresses = recorded && (await runsCurrentCode(options.rpcUrl, artifacts, recorded)) ? recorded : undefined;
  const migrated = !addresses;
  if (!addresses) {
    await runTruffle(["migrate", "--reset", "--network", "development", "--quiet"], options.truffleEnv);
    const migratedArtifacts = await readArtifacts();
    addresses = addressesFrom(migratedArtifacts, options.chainId);
    await writeFile(options.recordPath, JSON.stringify({ chainId: options.chainId, addresses }, null, 2) + "\n");
  }
  await writeContractsModule(artifacts, { chainId: options.chainId, addresses });
  return { addresses, migrated };
}

/** eth_getCode as one JSON-RPC call: loading web3 for it would cost every start about a second. */
async function getCode(rpcUrl: string, address: string): Promise<string> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getCode", params: [address, "latest"] }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (typeof body.result !== "string") throw new Error(`eth_getCode ${address}: ${body.error?.message ?? "no result"}`);
  return body.result;
}

async function runsCurrentCode(rpcUrl: string, artifacts: Record<ContractName, Artifact>, addresses: ContractAddresses) {
  const codes = await Promise.all(CONTRACT_NAMES.map((name) => getCode(rpcUrl, addresses[name])));
  return CONTRACT_NAMES.every((name, i) => codes[i]!.toLowerCase() === artifacts[name].deployedBytecode.toLowerCase());
}

function addressesFrom(artifacts: Record<ContractName, Artifact>, networkId: number): ContractAddresses {
  const entries = CONTRACT_NAMES.map((name) => {
    const address = artifacts[name].networks[String(networkId)]?.address;
    if (!address) throw new Error(`Truffle migrated but ${name} has no address for network ${networkId}`);
    return [name, address] as const;
  });
  return Object.fromEntries(entries) as ContractAddresses;
}

/** The addresses `npm start` deployed on the embedded chain (DATA_DIR/deployment.json), if they are for `chainId`. */
export async function readDeploymentRecord(file: string, chainId: number): Promise<ContractAddresses | undefined> {
  try {
    const record = JSON.parse(await readFile(file, "utf8")) as { chainId: number; addresses: ContractAddresses };
    return record.chainId === chainId ? record.addresses : undefined;
  } catch {
    return undefined;
  }
}
