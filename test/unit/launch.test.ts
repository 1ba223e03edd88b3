// scripts/launch.mjs (what `npm start` runs): a TypeScript entry runs from a cached bundle, rebuilt only when a
// source file changed, with its own import.meta.url and command line, and a compile error is a clear exit 1.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../support/temp-dir";

const ENTRY = `import { dataFile, label } from "./helper";
console.log(JSON.stringify({ args: process.argv.slice(2), argv1: process.argv[1], dataFile: dataFile(), label }));
`;
const helper = (label: string) => `export const label: string = ${JSON.stringify(label)};
/** Resolved next to this source file, as it would be unbundled. */
export const dataFile = (): string => new URL("./data.txt", import.meta.url).pathname;
`;

describe("scripts/launch.mjs", () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let cache: string;
  const launch = (...args: string[]) =>
    spawnSync(process.execPath, ["scripts/launch.mjs", ...args], { env: { ...process.env, EHR_LAUNCH_CACHE: cache }, encoding: "utf8", timeout: 60_000 });
  const entryCache = async () => {
    const [folder] = await readdir(cache);
    return path.join(cache, folder!);
  };
  const currentBuild = async () => (JSON.parse(await readFile(path.join(await entryCache(), "current.json"), "utf8")) as { dir: string }).dir;

  before(async () => {
    dir = await makeTempDir("launch");
    cache = path.join(dir.path, "cache");
    await writeFile(path.join(dir.path, "entry.ts"), ENTRY);
    await writeFile(path.join(dir.path, "helper.ts"), helper("first"));
  });
  after(() => dir.remove());

  it("runs the script with its arguments, argv[1] and each module's own import.meta.url", () => {
    const run = launch(path.join(dir.path, "entry.ts"), "--flag", "value");
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      args: ["--flag", "value"],
      argv1: path.join(dir.path, "entry.ts"),
      dataFile: path.join(dir.path, "data.txt"),
      label: "first",
    });
  });

  it("reuses the bundle while the sources are unchanged, and rebuilds it when one changes", async () => {
    const built = await currentBuild();
    assert.equal(launch(path.join(dir.path, "entry.ts")).status, 0);
    assert.equal(await currentBuild(), built);

    await writeFile(path.join(dir.path, "helper.ts"), helper("second"));
    const run = launch(path.join(dir.path, "entry.ts"));
    assert.equal(run.status, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { label: string }).label, "second");
    assert.notEqual(await currentBuild(), built);
  });

  it("stops with exit 1 naming the file when the script does not compile, and keeps the last good bundle", async () => {
    const good = await currentBuild();
    await writeFile(path.join(dir.path, "helper.ts"), "export const label: string = ;\n");
    const run = launch(path.join(dir.path, "entry.ts"));
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^Cannot compile .*entry\.ts:\n.*helper\.ts:1:\d+: /);
    assert.equal(await currentBuild(), good);
  });

  it("explains its usage without a script", () => {
    const run = launch();
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^Usage: node scripts\/launch\.mjs <script\.ts>/);
  });
});
