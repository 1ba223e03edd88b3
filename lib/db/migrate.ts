import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Any constant works; it only has to be the same for every instance of this app. */
const MIGRATION_LOCK_ID = 4_242_001;

/**
 * The PostgreSQL role the app runs as when it is not the owner (the embedded database and docker-compose).
 * Migrations run as the owner; after them, when this role exists, it is granted what the app needs and no
 * more: no DDL, and on key_audit only SELECT and INSERT, so the app cannot rewrite the audit (nor, not being
 * the owner, disable its append-only and hash-chain triggers).
 */
export const APP_ROLE = "ehr_app";

/** Re-applied after every migration run, so tables added later are covered too. */
const APP_ROLE_GRANTS = [
  `GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`,
  `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`,
  `REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON key_audit FROM ${APP_ROLE}`,
  `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${APP_ROLE}`,
];

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The SQL files in lib/db/migrations, in version order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: await readFile(path.join(dir, file), "utf8") });
  }
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) throw new Error(`Migrations must be numbered 1, 2, 3...; found ${migration.version} at position ${i + 1}`);
  });
  return migrations;
}

/**
 * Applies every migration not yet recorded, each once and in order, in one transaction.
 * An advisory lock lets several app instances start at once without racing.
 */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<{ applied: number[]; version: number }> {
  const all = migrations ?? (await loadMigrations());
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of all) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    const appRole = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [APP_ROLE]);
    if (appRole.rowCount) for (const grant of APP_ROLE_GRANTS) await client.query(grant);
    await client.query("COMMIT");
    return { applied, version: Math.max(0, ...all.map((m) => m.version), ...done) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
