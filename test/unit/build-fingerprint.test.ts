import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { buildFingerprint, isBuildCurrent, recordBuildFingerprint } from "@/scripts/stack/build-fingerprint";
import { makeTempDir } from "../support/temp-dir";

async function project(root: string) {
  await mkdir(path.join(root, "app", "api"), { recursive: true });
  await mkdir(path.join(root, "lib"), { recursive: true });
  await writeFile(path.join(root, "app", "page.tsx"), "export default function Page() { return null; }\n");
  await writeFile(path.join(root, "app", "api", "route.ts"), "export const GET = () => new Response('ok');\n");
  await writeFile(path.join(root, "lib", "util.ts"), "export const one = 1;\n");
  await writeFile(path.join(root, "package-lock.json"), '{"lockfileVersion":3}\n');
  await writeFile(path.join(root, "next.config.ts"), "export default {};\n");
  await writeFile(path.join(root, "tsconfig.json"), JSON.stringify({ include: ["**/*.ts"] }));
}

describe("build fingerprint", () => {
  it("is the same when nothing changed and changes with a source, the lock file, the config or the build env", async () => {
    const dir = await makeTempDir("fingerprint");
    try {
      await project(dir.path);
      const env = { NODE_ENV: "production", RPC_URL: "http://127.0.0.1:1" };
      const fingerprint = () => buildFingerprint({ root: dir.path, env });
      const first = await fingerprint();
      assert.equal(await fingerprint(), first, "nothing changed");
      // Runtime-only settings (ports, URLs, data folders) are read when the server starts, not built in.
      assert.equal(await buildFingerprint({ root: dir.path, env: { ...env, RPC_URL: "http://127.0.0.1:2", DATA_DIR: "/x" } }), first);
      // next build adds its dist folder's type globs to tsconfig.json: not a change to the app.
      await writeFile(path.join(dir.path, "tsconfig.json"), JSON.stringify({ include: ["**/*.ts", ".next-x/types/**/*.ts"] }, null, 2));
      assert.equal(await fingerprint(), first, "tsconfig include lines added by next build");

      const changes: Array<[string, string]> = [
        ["app/api/route.ts", "export const GET = () => new Response('changed');\n"],
        ["lib/util.ts", "export const one = 2;\n"],
        ["lib/new-file.ts", "export {};\n"],
        ["package-lock.json", '{"lockfileVersion":3,"packages":{}}\n'],
        ["next.config.ts", "export default { poweredByHeader: false };\n"],
      ];
      const seen = new Set([first]);
      for (const [file, content] of changes) {
        await writeFile(path.join(dir.path, file), content);
        const next = await fingerprint();
        assert.ok(!seen.has(next), `changes when ${file} changes`);
        seen.add(next);
        assert.equal(await fingerprint(), next, `stable after ${file} changed`);
      }
      const latest = await fingerprint();
      assert.notEqual(await buildFingerprint({ root: dir.path, env: { ...env, NEXT_PUBLIC_FLAG: "1" } }), latest);
      assert.notEqual(await buildFingerprint({ root: dir.path, env: { ...env, NODE_ENV: "development" } }), latest);
    } finally {
      await dir.remove();
    }
  });

  it("counts a build as current only when it is complete and was made from the same fingerprint", async () => {
    const dir = await makeTempDir("fingerprint-dist");
    try {
      const distDir = path.join(dir.path, ".next-test");
      await mkdir(distDir);
      assert.equal(await isBuildCurrent(distDir, "abc"), false, "no build yet");
      await recordBuildFingerprint(distDir, "abc");
      assert.equal(await isBuildCurrent(distDir, "abc"), false, "fingerprint without BUILD_ID (build deleted or failed)");
      await writeFile(path.join(distDir, "BUILD_ID"), "id");
      assert.equal(await isBuildCurrent(distDir, "abc"), true);
      assert.equal(await isBuildCurrent(distDir, "abd"), false);
    } finally {
      await dir.remove();
    }
  });
});
