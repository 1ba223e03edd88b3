/** `npm run db:migrate`: applies lib/db/migrations to DATABASE_URL (production; `npm start` does it itself). */
import { getEnv } from "@/lib/config";
import { migrateDatabase } from "./stack/database";
import { loadDotenv } from "./load-dotenv";

async function main() {
  loadDotenv();
  const url = getEnv().DATABASE_URL;
  if (!url) throw new Error("Set DATABASE_URL to the PostgreSQL to migrate.");
  console.log(`Database schema is at version ${await migrateDatabase(url)}.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
