import "server-only";
import { dbQuery, isDatabaseConnectionError, type PreparedStatement } from "./query";

export type AuditAction = "query" | "key" | "content";
/** Why a request was allowed (patient, grant) or refused; "forbidden" only in rows written before migration 0004. */
export type AuditReason = "patient" | "grant" | "forbidden" | "not_found" | "inactive" | "no_grant" | "expired" | "no_access_log";

export interface AuditEntry {
  actor: string;
  recordId: string;
  action: AuditAction;
  allowed: boolean;
  reason: AuditReason;
}

/*
 * Group commit. Appends serialise on the audit chain's lock (migration 0005), held until the COMMIT and its
 * WAL flush: one append per request would cap key releases at one flush each. So at most one INSERT runs per
 * process; callers arriving while it runs queue up, and the next INSERT takes all of them in one statement (one
 * lock, one flush, rows in arrival order, each caller's rows together). A caller's promise settles only once
 * the statement holding its rows has committed, so no key leaves before its audit row is durable; a failed
 * statement fails every caller in it (a batch of several callers is first retried one caller at a time, so one
 * bad entry fails only its own request).
 */
/** At most this many rows in one INSERT (a caller's rows are never split; one caller may exceed it alone). */
export const AUDIT_BATCH_ROWS = 1_000;

interface Waiting {
  entries: readonly AuditEntry[];
  resolve(): void;
  reject(error: unknown): void;
}

const waiting: Waiting[] = [];
let writing = false;

const INSERT_AUDIT: PreparedStatement = {
  name: "insert-key-audit",
  text: `INSERT INTO key_audit (actor, record_id, action, allowed, reason)
         SELECT * FROM unnest($1::text[], $2::numeric[], $3::text[], $4::boolean[], $5::text[])`,
};

async function insertAudit(entries: readonly AuditEntry[]): Promise<void> {
  await dbQuery(
    INSERT_AUDIT,
    [entries.map((e) => e.actor), entries.map((e) => e.recordId), entries.map((e) => e.action), entries.map((e) => e.allowed), entries.map((e) => e.reason)],
  );
}

/** The longest prefix of the queue that fits in one INSERT (at least one caller). */
function takeBatch(): Waiting[] {
  let rows = 0;
  let count = 0;
  while (count < waiting.length && (count === 0 || rows + waiting[count]!.entries.length <= AUDIT_BATCH_ROWS)) rows += waiting[count++]!.entries.length;
  return waiting.splice(0, count);
}

async function writeBatch(batch: Waiting[]): Promise<void> {
  try {
    await insertAudit(batch.flatMap((w) => w.entries));
    for (const w of batch) w.resolve();
  } catch (error) {
    if (batch.length === 1 || isDatabaseConnectionError(error)) {
      for (const w of batch) w.reject(error);
      return;
    }
    for (const w of batch) {
      await insertAudit(w.entries).then(w.resolve, w.reject);
    }
  }
}

async function drain(): Promise<void> {
  writing = true;
  try {
    while (waiting.length) await writeBatch(takeBatch());
  } finally {
    writing = false;
  }
}

/**
 * Appends entries to the append-only key audit; resolves once they are committed (with the entries of other
 * requests that arrived meanwhile, in one statement).
 */
export function appendAudit(entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    waiting.push({ entries: [...entries], resolve, reject });
    if (!writing) void drain();
  });
}

export interface AuditRow extends AuditEntry {
  at: Date;
}

/** The newest `limit` audit rows on record ids in [from, to) (one patient's records), newest first. */
export async function auditRowsForRecords(range: { from: bigint; to: bigint }, limit: number): Promise<AuditRow[]> {
  const result = await dbQuery<{ at: Date; actor: string; record_id: string; action: AuditAction; allowed: boolean; reason: AuditReason }>(
    `SELECT at, actor, record_id::text AS record_id, action, allowed, reason FROM key_audit
      WHERE record_id >= $1::numeric AND record_id < $2::numeric ORDER BY at DESC, id DESC LIMIT $3`,
    [range.from.toString(), range.to.toString(), limit],
  );
  return result.rows.map((row) => ({ at: row.at, actor: row.actor, recordId: row.record_id, action: row.action, allowed: row.allowed, reason: row.reason }));
}
