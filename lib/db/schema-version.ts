import type pg from "pg";

/** The highest applied migration, or 0 on an empty database. */
export async function schemaVersion(pool: pg.Pool): Promise<number> {
  const exists = await pool.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!exists.rows[0]?.present) return 0;
  const result = await pool.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
  return result.rows[0]?.version ?? 0;
}
