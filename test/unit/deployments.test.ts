import assert from "node:assert/strict";
import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import type { Artifact, ContractAddresses, ContractName } from "@/scripts/stack/artifacts";
import { moduleDeployment, writeContractsModule } from "@/scripts/stack/contracts-module";
import { readDeployments, writeDeployment } from "@/scripts/stack/deployments";
import { makeTempDir } from "../support/temp-dir";

const artifacts: Record<ContractName, Artifact> = {
  DoctorContract: { contractName: "DoctorContract", abi: [], deployedBytecode: "0x", networks: {} },
  PatientContract: { contractName: "PatientContract", abi: [], deployedBytecode: "0x", networks: {} },
};
const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const pair = (n: number): ContractAddresses => ({ DoctorContract: address(n), PatientContract: address(n + 1) });

let loads = 0;

/** The generated module's `deployments`, loaded as the app loads it (tsx compiles it; a copy, as loaders cache by path). */
async function generatedDeployments(moduleFile: string): Promise<Record<string, ContractAddresses>> {
  const copy = moduleFile.replace(/\.ts$/, `-${++loads}.ts`);
  await copyFile(moduleFile, copy);
  const loaded = (await import(pathToFileURL(copy).href)) as { deployments: Record<string, ContractAddresses> };
  return JSON.parse(JSON.stringify(loaded.deployments)) as Record<string, ContractAddresses>;
}

async function withFolders(run: (dirs: { deploymentsDir: string; moduleFile: string }) => Promise<void>): Promise<void> {
  const dir = await makeTempDir("deployments");
  try {
    await run({ deploymentsDir: path.join(dir.path, "deployments"), moduleFile: path.join(dir.path, "generated", "contracts.ts") });
  } finally {
    await dir.remove();
  }
}

describe("committed deployments (deployments/<chainId>.json)", () => {
  it("puts every committed network into the generated module of a fresh clone", () =>
    withFolders(async (files) => {
      await writeDeployment(11155111, pair(10), files.deploymentsDir);
      await writeDeployment(2025, pair(20), files.deploymentsDir);
      await writeFile(path.join(files.deploymentsDir, "README.md"), "# not a deployment\n");
      await writeContractsModule(artifacts, undefined, files);
      assert.deepEqual(await generatedDeployments(files.moduleFile), { 2025: pair(20), 11155111: pair(10) });
    }));

  it("keeps the local chain from the module, lets a committed file replace a stale entry, and the new deployment win", () =>
    withFolders(async (files) => {
      await writeContractsModule(artifacts, { chainId: 11155111, addresses: pair(1) }, files);
      await writeContractsModule(artifacts, { chainId: 1337, addresses: pair(3) }, files);
      await writeDeployment(11155111, pair(10), files.deploymentsDir);
      await writeContractsModule(artifacts, undefined, files);
      assert.deepEqual(await generatedDeployments(files.moduleFile), { 1337: pair(3), 11155111: pair(10) });
      await writeContractsModule(artifacts, { chainId: 11155111, addresses: pair(30) }, files);
      assert.deepEqual((await generatedDeployments(files.moduleFile))[11155111], pair(30));
    }));

  it("rewrites the module only when its content changes and says whether it did (a restart keeps the app's build current)", () =>
    withFolders(async (files) => {
      assert.equal(await writeContractsModule(artifacts, { chainId: 1337, addresses: pair(3) }, files), true);
      const written = (await stat(files.moduleFile)).mtimeMs;
      assert.equal(await writeContractsModule(artifacts, { chainId: 1337, addresses: pair(3) }, files), false);
      assert.equal(await writeContractsModule(artifacts, undefined, files), false, "the local chain is kept from the module");
      assert.equal((await stat(files.moduleFile)).mtimeMs, written, "not touched");
      assert.deepEqual(await moduleDeployment(1337, files.moduleFile), pair(3));
      assert.equal(await writeContractsModule(artifacts, { chainId: 1337, addresses: pair(5) }, files), true);
      assert.deepEqual(await moduleDeployment(1337, files.moduleFile), pair(5));
      assert.equal(await moduleDeployment(5, files.moduleFile), undefined);
    }));

  it("never writes the local chain and ignores a 1337.json someone committed", () =>
    withFolders(async (files) => {
      await assert.rejects(writeDeployment(1337, pair(1), files.deploymentsDir), /local development chain/);
      await writeDeployment(5, pair(5), files.deploymentsDir);
      await writeFile(path.join(files.deploymentsDir, "1337.json"), JSON.stringify(pair(7)));
      assert.deepEqual(await readDeployments(files.deploymentsDir), { 5: pair(5) });
    }));

  it("writes the two addresses and nothing else, as stable JSON", () =>
    withFolders(async (files) => {
      const file = await writeDeployment(11155111, pair(10), files.deploymentsDir);
      assert.equal(path.basename(file), "11155111.json");
      assert.equal(await readFile(file, "utf8"), `{\n  "DoctorContract": "${address(10)}",\n  "PatientContract": "${address(11)}"\n}\n`);
    }));

  it("reads nothing from a missing folder", async () => {
    assert.deepEqual(await readDeployments(path.join("/nonexistent", "deployments")), {});
  });

  const broken: Array<[string, string, RegExp]> = [
    ["not JSON", "{", /is not valid JSON/],
    ["an array", "[]", /must hold/],
    ["a missing contract", JSON.stringify({ DoctorContract: address(1) }), /PatientContract must be a 0x-prefixed 20-byte hex address/],
    ["a short address", JSON.stringify({ ...pair(1), DoctorContract: "0x1234" }), /DoctorContract must be/],
    ["an unknown contract", JSON.stringify({ ...pair(1), Registry: address(9) }), /unknown contracts: Registry/],
  ];
  for (const [what, content, message] of broken) {
    it(`stops with the file's name on ${what}`, () =>
      withFolders(async (files) => {
        await writeDeployment(5, pair(5), files.deploymentsDir);
        await writeFile(path.join(files.deploymentsDir, "5.json"), content);
        await assert.rejects(writeContractsModule(artifacts, undefined, files), (error: Error) => {
          assert.match(error.message, message);
          assert.ok(error.message.includes(path.join(files.deploymentsDir, "5.json")), error.message);
          return true;
        });
      }));
  }
});
