import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export async function makeTempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `ehr-${prefix}-`));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
