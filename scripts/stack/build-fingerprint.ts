/**
 * Whether the Next build in a dist folder still matches what it was built from, so `npm start` and the
 * test stack run `next build` only when the app's sources, its dependencies or its build configuration
 * changed. The fingerprint is a SHA-256 over the content (not the timestamps) of everything the build
 * reads, and is stored beside the build after a successful `next build`.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const FINGERPRINT_FILE = "ehr-build-fingerprint.json";

/** Folders and root files whose content the build reads (lib/chain/generated is under lib). */
const SOURCE_DIRS = ["app", "components", "lib", "public"];
const ROOT_FILES = [
  "package.json",
  "package-lock.json",
  "next.config.ts",
  "tsconfig.json",
  "postcss.config.mjs",
  "tailwind.config.ts",
  "instrumentation.ts",
  "middleware.ts",
  "proxy.ts",
];

/** Build-time environment: NODE_ENV and anything Next inlines into the bundles (NEXT_PUBLIC_*). */
export function buildEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const picked: Record<string, string> = { NODE_ENV: env.NODE_ENV ?? "production" };
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith("NEXT_PUBLIC_") && value !== undefined) picked[name] = value;
  }
  return Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b)));
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

// `next build` adds its dist folder's type globs to tsconfig.json's include list; those lines do not
// change the app, so they must not make the next start rebuild.
function normaliseTsconfig(text: string): string {
  try {
    const config = JSON.parse(text) as { include?: unknown };
    if (Array.isArray(config.include)) {
      config.include = config.include.filter((entry) => !(typeof entry === "string" && entry.startsWith(".next")));
    }
    return JSON.stringify(config);
  } catch {
    return text;
  }
}

export interface FingerprintOptions {
  /** Project root (default: the current directory, where `next build` runs). */
  root?: string;
  /** The environment `next build` runs with. */
  env: Record<string, string | undefined>;
}

export async function buildFingerprint(options: FingerprintOptions): Promise<string> {
  const root = path.resolve(options.root ?? process.cwd());
  const hash = createHash("sha256");
  const add = (label: string, content: string | Buffer) => {
    hash.update(`${label}\0${content.length}\0`);
    hash.update(content);
  };
  add("node", process.version);
  add("env", JSON.stringify(buildEnvironment(options.env)));
  const files = [
    ...ROOT_FILES.map((file) => path.join(root, file)).filter((file) => existsSync(file)),
    ...(await Promise.all(SOURCE_DIRS.map((dir) => listFiles(path.join(root, dir))))).flat().sort(),
  ];
  for (const file of files) {
    const relative = path.relative(root, file).split(path.sep).join("/");
    const content = await readFile(file);
    add(relative, relative === "tsconfig.json" ? normaliseTsconfig(content.toString("utf8")) : content);
  }
  return hash.digest("hex");
}

/** True when `distDir` holds a complete build made from sources with this fingerprint. */
export async function isBuildCurrent(distDir: string, fingerprint: string): Promise<boolean> {
  if (!existsSync(path.join(distDir, "BUILD_ID"))) return false;
  try {
    const stored = JSON.parse(await readFile(path.join(distDir, FINGERPRINT_FILE), "utf8")) as { fingerprint?: unknown };
    return stored.fingerprint === fingerprint;
  } catch {
    return false;
  }
}

/** Call only after `next build` succeeded, with the fingerprint taken before it started. */
export async function recordBuildFingerprint(distDir: string, fingerprint: string): Promise<void> {
  await writeFile(path.join(distDir, FINGERPRINT_FILE), `${JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }, null, 2)}\n`);
}
