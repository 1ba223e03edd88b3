import "server-only";
import type pg from "pg";
import { ApiError } from "@/lib/api";
import { getPool } from "@/lib/db/pool";

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE", "57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006"]);
// "not queryable": pg's answer on a client whose connection already failed (PostgreSQL restarted, backend terminated).
const CONNECTION_MESSAGES = /connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Connection refused|is not queryable/i;

/** True when the error means PostgreSQL could not be reached (not a bad query). */
export function isDatabaseConnectionError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const { code, message, errors, cause } = current as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    if (typeof message === "string" && CONNECTION_MESSAGES.test(message)) return true;
    if (Array.isArray(errors) && errors.some(isDatabaseConnectionError)) return true;
    current = cause;
  }
  return false;
}

function mapError(error: unknown): unknown {
  return isDatabaseConnectionError(error) ? new ApiError("service_unavailable", "The database is not reachable; try again shortly.") : error;
}

export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/**
 * A statement run on every request of a hot route: named, so each connection parses and plans it once and then
 * only binds and executes it (a CTE's planning can cost more than running it). The text must never change
 * for a given name.
 */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** One query on the shared pool; a connection failure becomes a 503. */
export async function dbQuery<R extends pg.QueryResultRow>(sql: string | PreparedStatement, params: unknown[] = [], db: Queryable = getPool()): Promise<pg.QueryResult<R>> {
  try {
    return typeof sql === "string" ? await db.query<R>(sql, params) : await db.query<R>({ name: sql.name, text: sql.text, values: params });
  } catch (error) {
    throw mapError(error);
  }
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function withTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await getPool().connect();
  } catch (error) {
    throw mapError(error);
  }
  let lost: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    // A client whose connection failed is destroyed rather than handed to the next request.
    if (isDatabaseConnectionError(error)) lost = error as Error;
    throw mapError(error);
  } finally {
    client.release(lost);
  }
}
