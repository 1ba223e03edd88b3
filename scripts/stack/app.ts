import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { buildFingerprint, isBuildCurrent, recordBuildFingerprint } from "./build-fingerprint";
import { StartupError } from "./errors";
import { forgetAppPid, rememberAppPid, stopLeftoverApp } from "./leftovers";

const require = createRequire(import.meta.url);
const NEXT_CLI = require.resolve("next/dist/bin/next");

export interface AppOptions {
  host: string;
  port: number;
  env: Record<string, string | undefined>;
  /** Separate build folders let tests build beside a developer's running app. */
  distDir?: string;
  onOutput?: (line: string) => void;
  /** Where the server's pid is kept while it runs, so a start after a SIGKILL can stop it (leftovers.ts). */
  pidFile?: string;
}

/**
 * The server's young generation: 64 MB semi-spaces instead of V8's 16 MB. Each request allocates many
 * short-lived objects; with more room fewer of them are copied and promoted: 5 to 10 % less of the app's CPU
 * per request in bench/keys (2026-12-01, a noisy machine), for at most 96 MB more memory.
 * The Dockerfile starts the standalone server with the same flag.
 */
const SERVER_V8_FLAGS = ["--max-semi-space-size=64"];

function runNext(args: string[], options: AppOptions, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, NEXT_CLI, ...args], {
    cwd: process.cwd(),
    // Telemetry would phone home from machines that must not.
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...options.env, ...(options.distDir ? { NEXT_DIST_DIR: options.distDir } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** `next build`; its output is shown only when it fails. */
export async function buildApp(options: AppOptions): Promise<void> {
  const child = runNext(["build"], options);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new StartupError(`next build failed (exit ${code}):\n${output.trim()}`);
}

function buildEnv(options: AppOptions): Record<string, string | undefined> {
  return { ...process.env, ...options.env };
}

export interface BuildCheck {
  /** Fingerprint of the sources, dependencies and build configuration as they are now. */
  fingerprint: string;
  /** The dist folder holds a complete build made from exactly these. */
  current: boolean;
}

/** Whether the build in the dist folder was made from the sources as they are now (see build-fingerprint.ts). */
export async function checkBuild(options: AppOptions): Promise<BuildCheck> {
  const fingerprint = await buildFingerprint({ env: buildEnv(options) });
  return { fingerprint, current: await isBuildCurrent(distDirOf(options), fingerprint) };
}

/** `next build`, then records `fingerprint` (taken before it started: a file edited meanwhile makes the next start rebuild). */
export async function buildAppFrom(options: AppOptions, fingerprint: string): Promise<void> {
  await buildApp(options);
  await recordBuildFingerprint(distDirOf(options), fingerprint);
}

// Where next.config.ts puts the build: the option, else NEXT_DIST_DIR, else .next.
const distDirOf = (options: AppOptions) => path.resolve(options.distDir || options.env.NEXT_DIST_DIR || process.env.NEXT_DIST_DIR || ".next");

/**
 * `next build` only when the sources, dependencies or build configuration changed since the build in the
 * dist folder was made (see build-fingerprint.ts); "up-to-date" means the existing build is started as is.
 */
export async function buildAppIfChanged(options: AppOptions, onBuild?: () => void): Promise<"built" | "up-to-date"> {
  const { fingerprint, current } = await checkBuild(options);
  if (current) return "up-to-date";
  onBuild?.();
  await buildAppFrom(options, fingerprint);
  return "built";
}

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

export interface StartingApp extends RunningApp {
  /** Resolves once the server answers HTTP; rejects (and the server is stopped) when it exits or never answers. */
  ready: Promise<void>;
}

/** `next start` in production mode, spawned; stop() works while it is still booting. */
export async function spawnApp(options: AppOptions): Promise<StartingApp> {
  if (options.pidFile) await stopLeftoverApp(options.pidFile);
  const child = runNext(["start", "--hostname", options.host, "--port", String(options.port)], options, SERVER_V8_FLAGS);
  const forward = (chunk: Buffer) => chunk.toString().split("\n").filter(Boolean).forEach((line) => options.onOutput?.(line));
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const url = `http://${options.host === "0.0.0.0" ? "127.0.0.1" : options.host}:${options.port}`;
  const pidFile = options.pidFile;
  if (pidFile && child.pid) {
    await rememberAppPid(pidFile, child.pid);
    child.once("exit", () => void forgetAppPid(pidFile));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new StartupError(`The app server exited during start-up (exit ${code}).`))),
  );
  exited.catch(() => {});
  const ready = Promise.race([waitForHttp(url, 60_000, () => child.exitCode !== null || child.signalCode !== null), exited]).catch(async (error: unknown) => {
    // Not left running behind a failed start.
    await stop();
    throw error;
  });
  return { url, stop, ready };
}

/** `next start` in production mode; resolves once the server answers HTTP. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const app = await spawnApp(options);
  await app.ready;
  return { url: app.url, stop: app.stop };
}

/**
 * Any answer from /api/health counts (a 503 too: chain or database may still be starting). Asking the health
 * route rather than the home page makes the server's first request load what /api/health needs, not the
 * page renderer, on the way to the green health check a start waits for.
 */
async function waitForHttp(url: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone()) {
    try {
      await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new StartupError(`The app did not answer at ${url} within ${timeoutMs / 1000} s.`);
}
