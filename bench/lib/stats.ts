// Shared helpers for the benchmarks: every timing is the median of several runs, reported as a
// ratio against a baseline measured in the same run.
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const RESULTS_DIR = path.join(ROOT, "bench", "results");

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export interface SummaryRow {
  bench: string;
  what: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean | null; // null: informational
}

export function writeResults(name: string, data: Record<string, unknown>): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), ...data }, null, 2)}\n`,
  );
  return path.relative(ROOT, file);
}

export function printTable(rows: SummaryRow[]): void {
  const header = ["bench", "what", "measured", "baseline (same run)", "ratio", "target", ""];
  const body = rows.map((r) => [
    r.bench,
    r.what,
    r.measured,
    r.baseline,
    r.ratio,
    r.target,
    r.pass === null ? "" : r.pass ? "met" : "MISSED",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) console.log(line(row));
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-GB", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
