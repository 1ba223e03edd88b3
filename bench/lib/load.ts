// autocannon (no bundled types) behind a small typed wrapper: N connections for D seconds against one URL,
// with the CPU time each process of the bench's stack spent per request meanwhile (Linux only).
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: Histogram;
  requests: Histogram & { total: number };
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  timeout?: number;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors, timeouts and every answer other than 2xx. */
  errors: number;
  statusCodes: Record<string, number>;
  /**
   * CPU milliseconds per request, by process: "app" (next start), "chain" (the embedded Ganache's process),
   * "postgres" (every PostgreSQL process), "bench" (this process: the load generator); empty where /proc is not
   * available.
   */
  cpuMsPerRequest: Record<string, number>;
}

const CLOCK_TICKS = 100;

/** The embedded Ganache's own process (scripts/stack/chain-process.mjs), told apart from the app by its command line. */
function isChainProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("chain-process.mjs");
  } catch {
    return false;
  }
}

/** CPU seconds so far of this process and of its descendants, grouped as in LoadResult.cpuMsPerRequest. */
function stackCpuSeconds(): Record<string, number> {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return {};
  }
  const processes = new Map<number, { parent: number; name: string; seconds: number }>();
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      processes.set(Number(entry), { parent: Number(fields[1]), name, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
    } catch {
      // gone meanwhile
    }
  }
  const own = process.cpuUsage();
  const totals: Record<string, number> = { bench: (own.user + own.system) / 1e6 };
  for (const [pid, info] of processes) {
    let ancestor = info.parent;
    for (let depth = 0; depth < 8 && ancestor > 1 && ancestor !== process.pid; depth++) ancestor = processes.get(ancestor)?.parent ?? 0;
    if (ancestor !== process.pid || pid === process.pid) continue;
    const group = info.name.startsWith("postgres") ? "postgres" : info.name.startsWith("next") ? "app" : isChainProcess(pid) ? "chain" : "other";
    totals[group] = (totals[group] ?? 0) + info.seconds;
  }
  return totals;
}

export async function load(url: string, options: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const cpuBefore = stackCpuSeconds();
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds, headers: options.headers, timeout: 10 });
  const cpuAfter = stackCpuSeconds();
  const requests = Math.max(1, result.requests.total);
  const cpuMsPerRequest = Object.fromEntries(Object.entries(cpuAfter).map(([group, seconds]) => [group, ((seconds - (cpuBefore[group] ?? 0)) * 1000) / requests]));
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count])),
    cpuMsPerRequest,
  };
}
