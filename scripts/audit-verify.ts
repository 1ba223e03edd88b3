/**
 * `npm run audit:verify`: recomputes the key audit's hash chain (migration 0005) and reports the first broken
 * link. Reads DATABASE_URL, else the embedded database of a running `npm start`. Exit 0 = intact, 1 = broken
 * (or unreachable). The printed head hash, kept somewhere the database's owner cannot write, also shows later
 * whether rows were cut from the end.
 */
import pg from "pg";
import { getEnv } from "@/lib/config";
import { verifyAuditChain } from "@/lib/security/audit-chain";
import { loadDotenv } from "./load-dotenv";
import { embeddedDatabaseUrl } from "./stack/database";

async function main(): Promise<number> {
  loadDotenv();
  const env = getEnv();
  const client = new pg.Client({ connectionString: env.DATABASE_URL ?? embeddedDatabaseUrl(env.EMBEDDED_PG_PORT) });
  await client.connect();
  try {
    const result = await verifyAuditChain(client);
    if (result.ok) {
      console.log(`Key audit intact: ${result.rows} rows, head ${result.head}.`);
      return 0;
    }
    console.log(`Key audit broken at seq ${result.brokenAt.seq} (id ${result.brokenAt.id}): ${result.problem}. ${result.rows} rows before it are intact.`);
    return 1;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
