import type pg from "pg";

/**
 * The migration this build of the app needs (the last file in lib/db/migrations; test/unit/db-schema-version.test.ts
 * checks the two agree). The app reports itself healthy only on a database at this version.
 */
export const LATEST_SCHEMA_VERSION = 9;

/** The highest applied migration, or 0 on an empty database. */
export async function schemaVersion(pool: pg.Pool): Promise<number> {
  const exists = await pool.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return 0;
  const result = await pool.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
  return result.rows[0]?.version ?? 0;
}
