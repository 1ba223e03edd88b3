/**
 * `npm run dev`: the same services as `npm start`, with `next dev` (hot reload) instead of a production build.
 * `npm run dev -- --seed` also registers the demo doctor, as `npm run seed` does.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { getEnv } from "@/lib/config";
import { loadDotenv } from "./load-dotenv";
import { startStack } from "./stack";
import { devAccountsBanner } from "./stack/dev-accounts";
import { seedStartedStack } from "./stack/seed";

const require = createRequire(import.meta.url);

async function main() {
  loadDotenv();
  const env = getEnv();
  const stack = await startStack({ env, embeddedChain: !process.env.RPC_URL, app: false, log: (m) => console.log(`  ${m}`) });
  if (process.argv.slice(2).includes("--seed")) await seedStartedStack(stack, env.CHAIN_ID, (message) => console.log(`  ${message}`));
  if (stack.chain) console.log(["", ...devAccountsBanner(env.CHAIN_MNEMONIC, stack.chain.accounts), ""].join("\n"));
  const next = spawn(process.execPath, [require.resolve("next/dist/bin/next"), "dev", "--hostname", env.HOST, "--port", String(env.PORT)], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...stack.appEnv, NODE_ENV: "development" },
  });
  const shutdown = () => {
    next.kill("SIGTERM");
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  next.on("exit", async (code) => {
    await stack.stop();
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => {
  console.error(`\n  ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
