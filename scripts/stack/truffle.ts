import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { StartupError } from "./errors";

const require = createRequire(import.meta.url);
const TRUFFLE_CLI = require.resolve("truffle/build/cli.bundled.js");

/**
 * Runs a Truffle command in a child process (Truffle is CommonJS and slow to load; keeping it out of
 * this process keeps its globals and its web3 v1 away from ours). Output is kept and shown only on failure.
 */
export async function runTruffle(args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TRUFFLE_CLI, ...args], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new StartupError(`truffle ${args.join(" ")} failed (exit ${code}):\n${output.trim()}`));
    });
  });
}
