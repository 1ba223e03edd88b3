import assert from "node:assert/strict";
import { it } from "node:test";
import { loadMigrations } from "@/lib/db/migrate";
import { LATEST_SCHEMA_VERSION } from "@/lib/db/schema-version";

it("the schema version the app needs is the last migration's (a new migration must raise it)", async () => {
  assert.equal(LATEST_SCHEMA_VERSION, (await loadMigrations()).at(-1)!.version);
});
