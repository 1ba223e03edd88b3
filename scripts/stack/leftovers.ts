import { readFile, rm, writeFile } from "node:fs/promises";

/**
 * A stack killed with SIGKILL (only its own process, not its group) leaves its child servers running: the
 * embedded PostgreSQL (whose postmaster.pid names it) and `next start` (whose pid we write beside the data).
 * The next start stops them first, so it resumes on the same data instead of failing on busy ports. A pid is
 * only signalled when its command line still names the server we expect: pids are reused.
 */

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, "utf8")).split("\n")[0]!.trim(), 10);
    return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// A process killed a moment ago (its whole group with SIGKILL) can still exist, without a command line, until
// init reaps it; PostgreSQL refuses to start while its postmaster.pid names a pid that exists.
async function waitWhileExiting(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && (await commandLine(pid)) === "" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Signals `pid` when its command line contains `expected`, and waits up to `timeoutMs` for it to exit. */
async function stopIfOurs(pid: number | undefined, expected: string, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  if (pid === undefined || pid === process.pid || !isAlive(pid)) return false;
  await waitWhileExiting(pid, 5_000);
  if (!isAlive(pid) || !(await commandLine(pid)).includes(expected)) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  return true;
}

/** Stops a PostgreSQL server left running on `dataDir` (SIGINT: PostgreSQL's fast shutdown, a clean checkpoint). */
export const stopLeftoverPostgres = (dataDir: string) => readPid(`${dataDir}/postmaster.pid`).then((pid) => stopIfOurs(pid, "postgres", "SIGINT", 30_000));

/** Stops a `next start` left running by an earlier stack that wrote `pidFile`. */
export async function stopLeftoverApp(pidFile: string): Promise<boolean> {
  const stopped = await stopIfOurs(await readPid(pidFile), "next", "SIGTERM", 10_000);
  await rm(pidFile, { force: true });
  return stopped;
}

export const rememberAppPid = (pidFile: string, pid: number) => writeFile(pidFile, `${pid}\n`);
export const forgetAppPid = (pidFile: string) => rm(pidFile, { force: true });
