import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import pg from "pg";
import { verifyAuditChain } from "@/lib/security/audit-chain";
import { startApp } from "@/scripts/stack/app";
import { freePort } from "@/scripts/stack/ports";
import { ApiClient } from "../support/api/api-client";
import { stackUnderTest } from "../support/stack-env";

/*
 * The key audit the app cannot rewrite: the app's PostgreSQL role (ehr_app) may only SELECT and INSERT on it,
 * every row is chained by hash, and `npm run audit:verify` names the first broken link.
 */
const stack = stackUnderTest();
const ownerUrl = stack.databaseUrl;
const appUrl = (() => {
  const url = new URL(ownerUrl);
  url.username = "ehr_app";
  url.password = "ehr-app-local";
  return url.toString();
})();

async function connect<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const ACTOR = `0x${"ad".repeat(20)}`;
const insertAudit = (client: pg.Client, recordId: number) =>
  client.query("INSERT INTO key_audit (actor, record_id, action, allowed, reason) VALUES ($1, $2, 'key', false, 'not_found')", [ACTOR, recordId]);

describe("the app's role cannot rewrite the key audit", () => {
  it("may INSERT and SELECT; UPDATE, DELETE, TRUNCATE, disabling the triggers and replica mode are refused", async () => {
    await connect(appUrl, async (app) => {
      assert.equal((await app.query<{ u: string }>("SELECT current_user AS u")).rows[0]!.u, "ehr_app");
      await insertAudit(app, 900_001);
      assert.ok((await app.query("SELECT 1 FROM key_audit WHERE actor = $1", [ACTOR])).rowCount! >= 1);
      await assert.rejects(app.query("UPDATE key_audit SET allowed = true WHERE actor = $1", [ACTOR]), /permission denied for table key_audit/);
      await assert.rejects(app.query("DELETE FROM key_audit WHERE actor = $1", [ACTOR]), /permission denied for table key_audit/);
      await assert.rejects(app.query("TRUNCATE key_audit"), /permission denied for table key_audit/);
      await assert.rejects(app.query("ALTER TABLE key_audit DISABLE TRIGGER key_audit_no_update_delete"), /must be owner of table key_audit/);
      await assert.rejects(app.query("DROP TABLE key_audit"), /must be owner of table key_audit/);
      await assert.rejects(app.query("SET session_replication_role = replica"), /permission denied to set parameter "session_replication_role"/);
      await assert.rejects(app.query("CREATE TABLE evil (x int)"), /permission denied for schema public/);
      // The app cannot forge the chain fields either: the trigger overwrites them.
      await app.query(
        "INSERT INTO key_audit (actor, record_id, action, allowed, reason, seq, prev_hash, row_hash) VALUES ($1, 900002, 'key', true, 'patient', 1, $2, $2)",
        [ACTOR, Buffer.alloc(32, 7)],
      );
      const last = (await app.query<{ seq: string; row_hash: Buffer }>("SELECT seq::text AS seq, row_hash FROM key_audit ORDER BY key_audit.seq DESC LIMIT 1")).rows[0]!;
      assert.notEqual(last.seq, "1");
      assert.notDeepEqual(last.row_hash, Buffer.alloc(32, 7));
    });
  });

  it("the app's other tables stay usable (sessions, uploads, rate limits)", async () => {
    await connect(appUrl, async (app) => {
      await app.query("DELETE FROM sessions WHERE expires_at < now() - interval '100 years'");
      await app.query("INSERT INTO rate_limits (key, points, expire) VALUES ('adversarial:probe', 1, 0) ON CONFLICT (key) DO UPDATE SET points = 1");
      await app.query("DELETE FROM rate_limits WHERE key = 'adversarial:probe'");
      await assert.rejects(app.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'evil')"), /permission denied for table schema_migrations/);
    });
  });
});

describe("the app runs as ehr_app", () => {
  it("signs in, answers health and audits a key request with only the app role's privileges", async () => {
    const port = await freePort();
    const app = await startApp({ host: "127.0.0.1", port, distDir: stack.distDir, env: { ...stack.appEnv, PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: appUrl } });
    try {
      const health = await fetch(new URL("/api/health", app.url));
      assert.equal(health.status, 200, await health.text());
      const client = new ApiClient(app.url);
      const account = stack.accounts[36]!;
      assert.equal((await client.signIn(account)).status, 200);
      const audited = () => connect(ownerUrl, async (owner) => Number((await owner.query<{ n: string }>("SELECT count(*) AS n FROM key_audit WHERE actor = $1", [account.toLowerCase()])).rows[0]!.n));
      const before = await audited();
      const key = await client.get("/api/records/987654321/key");
      assert.deepEqual([key.status, key.body], [403, { error: { code: "forbidden", message: "You may not read this record.", details: { reason: "no_grant" } } }]);
      assert.equal(await audited(), before + 1);
      assert.equal((await client.post("/api/auth/logout-all")).status, 204);
    } finally {
      await app.stop();
    }
  });
});

describe("the key audit's hash chain", () => {
  it("stays linked under 50 parallel inserts (seq without gaps, every link verified)", async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, async () => {
      const client = new pg.Client({ connectionString: appUrl });
      await client.connect();
      return client;
    }));
    try {
      await Promise.all(Array.from({ length: 50 }, (_, i) => insertAudit(clients[i % clients.length]!, 910_000 + i)));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    const result = await connect(ownerUrl, (owner) => verifyAuditChain(owner));
    assert.equal(result.ok, true, JSON.stringify(result));
    const count = await connect(ownerUrl, async (owner) => Number((await owner.query<{ n: string }>("SELECT count(*) AS n FROM key_audit")).rows[0]!.n));
    assert.equal(result.rows, count);
  });

  it("names the first broken link when the owner rewrites a row, removes one or relinks one", async () => {
    await connect(ownerUrl, async (owner) => {
      for (let i = 0; i < 3; i++) await insertAudit(owner, 920_000 + i);
      const seqs = (await owner.query<{ seq: string }>("SELECT seq::text AS seq FROM key_audit ORDER BY key_audit.seq DESC LIMIT 3")).rows.map((r) => r.seq).reverse();
      const [first, second] = seqs as [string, string, string];
      // Each tampering inside a transaction that is rolled back, so the shared chain stays intact.
      const tampered = async (sql: string, params: unknown[]) => {
        await owner.query("BEGIN");
        try {
          await owner.query("ALTER TABLE key_audit DISABLE TRIGGER key_audit_no_update_delete");
          await owner.query(sql, params);
          return await verifyAuditChain(owner);
        } finally {
          await owner.query("ROLLBACK");
        }
      };
      const rewritten = await tampered("UPDATE key_audit SET allowed = true, reason = 'patient' WHERE seq = $1", [first]);
      assert.deepEqual(rewritten.ok ? rewritten : { brokenSeq: rewritten.brokenAt.seq, problem: rewritten.problem }, { brokenSeq: first, problem: "row_hash does not match the row's fields" });
      const removed = await tampered("DELETE FROM key_audit WHERE seq = $1", [first]);
      assert.deepEqual(removed.ok ? removed : { brokenSeq: removed.brokenAt.seq, problem: removed.problem }, { brokenSeq: second, problem: `row ${first} is missing (the next row is ${second})` });
      // Rewriting a row and recomputing its own hash still breaks the next link.
      const relinked = await tampered(
        `UPDATE key_audit SET reason = 'patient', row_hash = key_audit_row_hash(seq, id, at, actor, record_id, action, allowed, 'patient', prev_hash) WHERE seq = $1`,
        [first],
      );
      assert.deepEqual(relinked.ok ? relinked : { brokenSeq: relinked.brokenAt.seq, problem: relinked.problem }, { brokenSeq: second, problem: "prev_hash is not the previous row's hash" });
      assert.equal((await verifyAuditChain(owner)).ok, true);
    });
  });

  it("npm run audit:verify reports an intact chain with its head (exit 0)", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], {
      env: { ...process.env, DATABASE_URL: ownerUrl, NODE_ENV: "test" },
    });
    assert.match(stdout, /^Key audit intact: \d+ rows, head [0-9a-f]{64}\.\n$/);
  });
});
