export { getPool, closePool } from "./pool";
export { migrate, loadMigrations, type Migration } from "./migrate";
export { schemaVersion } from "./schema-version";
