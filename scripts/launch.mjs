// Runs a TypeScript entry script: `node scripts/launch.mjs scripts/start.ts [args…]` (what `npm start` runs).
// The script and the project modules it imports run as one esbuild bundle (packages stay external), kept in
// node_modules/.cache/ehr-launch and rebuilt only when one of its source files changed (~0.15 s).
// Why not tsx here: tsx compiles every module through loader hooks on a second thread at each start, about
// 1 s of CPU that `npm start` would spend while the chain, the database and the app load on the same cores.
// Plain JavaScript, so it needs no loader itself. EHR_LAUNCH_CACHE moves the cache (tests).
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = path.resolve(process.env.EHR_LAUNCH_CACHE ?? path.join(ROOT, "node_modules/.cache/ehr-launch"));
/** Builds that no longer match the sources are deleted after this long (a process may still load their chunks). */
const STALE_BUILD_MS = 60 * 60 * 1000;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Hash of each file; undefined for a file that is gone. */
async function hashFiles(files) {
  return Object.fromEntries(await Promise.all(files.map(async (file) => [file, await readFile(path.resolve(ROOT, file)).then(sha256, () => undefined)])));
}

/** The build recorded for this entry, if every file it was made from is unchanged. */
async function currentBuild(entryCache, launcherHash) {
  const record = await readFile(path.join(entryCache, "current.json"), "utf8").then(JSON.parse, () => undefined);
  if (!record || record.launcher !== launcherHash) return undefined;
  const hashes = await hashFiles(Object.keys(record.inputs));
  const unchanged = Object.entries(record.inputs).every(([file, hash]) => hashes[file] === hash);
  return unchanged ? path.join(entryCache, record.dir) : undefined;
}

/**
 * Each module keeps its own import.meta.url (not the bundle's): paths next to a source file, such as the chain's
 * child process or createRequire, resolve as they do unbundled.
 */
const keepImportMetaUrl = {
  name: "keep-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => ({
      contents: (await readFile(args.path, "utf8")).replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
      loader: "ts",
    }));
  },
};

/** Bundles `entry` into a new folder of `entryCache` and records it as current; returns the folder. */
async function buildEntry(entry, entryCache, launcherHash) {
  const { build } = await import("esbuild");
  const dir = `b-${Date.now()}-${process.pid}`;
  const outdir = path.join(entryCache, dir);
  let result;
  try {
    result = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      entryNames: "entry",
      outdir,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      // Dynamic imports stay lazy chunks: what a run does not need is not loaded.
      splitting: true,
      format: "esm",
      platform: "node",
      target: `node${process.versions.node.split(".")[0]}`,
      packages: "external",
      sourcemap: "linked",
      metafile: true,
      logLevel: "silent",
      plugins: [keepImportMetaUrl],
    });
  } catch (error) {
    const messages = error.errors?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ""}${e.text}`);
    throw new Error(`Cannot compile ${entry}:\n${messages?.join("\n") ?? error.message}`);
  }
  // tsconfig.json decides the "@/..." paths; esbuild's version decides the output.
  const esbuildPackage = path.relative(ROOT, createRequire(import.meta.url).resolve("esbuild/package.json"));
  const files = [...Object.keys(result.metafile.inputs), "tsconfig.json", esbuildPackage];
  const record = { launcher: launcherHash, dir, inputs: await hashFiles(files) };
  const next = path.join(entryCache, `current.json.${process.pid}`);
  await writeFile(next, JSON.stringify(record));
  await rename(next, path.join(entryCache, "current.json"));
  await removeStaleBuilds(entryCache, dir);
  return outdir;
}

async function removeStaleBuilds(entryCache, keep) {
  for (const name of await readdir(entryCache)) {
    if (!name.startsWith("b-") || name === keep) continue;
    const folder = path.join(entryCache, name);
    const modified = await stat(folder).then((info) => info.mtimeMs, () => Date.now()); // gone meanwhile: another launch removed it
    if (Date.now() - modified > STALE_BUILD_MS) await rm(folder, { recursive: true, force: true });
  }
}

/** The bundle folder for `entryPath`, built now when its sources changed since the last build. */
async function bundleFor(entryPath) {
  const entry = path.relative(ROOT, entryPath);
  const entryCache = path.join(CACHE, entry.replace(/[\\/:]/g, "_"));
  await mkdir(entryCache, { recursive: true });
  const launcherHash = sha256(await readFile(fileURLToPath(import.meta.url)));
  return (await currentBuild(entryCache, launcherHash)) ?? (await buildEntry(entry, entryCache, launcherHash));
}

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  console.error("Usage: node scripts/launch.mjs <script.ts> [arguments…]");
  process.exit(2);
}
const entryPath = path.resolve(entryArg);
const outdir = await bundleFor(entryPath).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
// The script sees the command line it would see run directly: argv[1] is itself, its arguments follow.
process.argv = [process.argv[0], entryPath, ...args];
process.setSourceMapsEnabled(true);
// Outside the catch above: the script's own failures keep their stack traces and exit codes.
await import(pathToFileURL(path.join(outdir, "entry.mjs")).href);
