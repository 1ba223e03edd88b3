import pg from "pg";

/** pg returns int8 as string by default; counts and ids we use fit in a JS number. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

let shared: pg.Pool | undefined;

/** One pool per process, created on first use from DATABASE_URL. */
export function getPool(connectionString = process.env.DATABASE_URL): pg.Pool {
  if (shared) return shared;
  if (!connectionString) throw new Error("DATABASE_URL is not set: start the system with `npm start` or set it");
  shared = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000 });
  // A client losing its server (PostgreSQL restarted, pg_terminate_backend) must not crash the process: the
  // pool reports an idle one here, and a checked-out one between two queries emits "error" on itself, which
  // would be an uncaught exception without a listener. Either way its next query fails and becomes a 503.
  shared.on("error", () => {});
  shared.on("connect", (client) => client.on("error", () => {}));
  return shared;
}

export async function closePool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.end();
}
