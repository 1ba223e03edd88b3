import { z } from "zod";

/** Well-known Ganache development mnemonic: deterministic accounts for the embedded chain only. */
export const DEV_MNEMONIC = "myth like bonus scare over problem client lizard pioneer submit female collect";

const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = z.url().optional();
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");

/**
 * Every environment variable the system reads, with its default.
 * .env.example documents the same list; keep both in step.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.string().min(1).default(".data"),

  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  /**
   * Origin users open in their browser; Sign-In with Ethereum, the cross-origin check and the cookie bind to
   * it. Required when NODE_ENV=production (lib/config/load-env.ts); elsewhere unset = the request's origin.
   */
  PUBLIC_URL: optionalUrl,

  /** Any PostgreSQL; unset = the embedded server in DATA_DIR/pg. */
  DATABASE_URL: optionalUrl,
  /** The app's own role when DATABASE_URL is the owner (migrations); unset = DATABASE_URL. The embedded database uses ehr_app. */
  DATABASE_APP_URL: optionalUrl,
  EMBEDDED_PG_PORT: port.default(54320),

  /** A Kubo node's RPC API (server side only); unset = the embedded store in DATA_DIR/ipfs. */
  IPFS_API_URL: optionalUrl,

  /** JSON-RPC endpoint the server reads the chain from. */
  RPC_URL: z.url().default("http://127.0.0.1:8545"),
  /** JSON-RPC endpoint shown to users for MetaMask (defaults to RPC_URL). */
  PUBLIC_RPC_URL: optionalUrl,
  CHAIN_ID: z.coerce.number().int().positive().default(1337),
  CHAIN_NAME: z.string().min(1).default("EHR local chain"),
  /** Deployed contracts, when not recorded in the generated module at build time (e.g. a Docker image). */
  DOCTOR_CONTRACT_ADDRESS: address.optional(),
  PATIENT_CONTRACT_ADDRESS: address.optional(),
  /** Embedded Ganache only: port and the mnemonic of its deterministic accounts. */
  CHAIN_PORT: port.default(8545),
  CHAIN_MNEMONIC: z.string().min(1).default(DEV_MNEMONIC),

  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
  /**
   * Per-patient caps, checked when an upload starts (before anything is stored), whoever uploads for the
   * patient: uploads started but not yet confirmed or cancelled (answer 429 with details.reason
   * "pending_uploads"), and encrypted bytes held for the patient, records plus unconfirmed uploads (answer 413
   * with details.reason "storage_quota"). Confirming or cancelling an upload frees its pending slot;
   * cancelling also frees its bytes.
   */
  MAX_PENDING_UPLOADS_PER_PATIENT: z.coerce.number().int().min(1).max(1000).default(10),
  MAX_STORED_BYTES_PER_PATIENT: z.coerce.number().int().min(1024).max(Number.MAX_SAFE_INTEGER).default(2 * 1024 * 1024 * 1024),

  /** Automatic logoff (HIPAA 164.312(a)(2)(iii)): a session unused this long ends; it also ends 12 h after sign-in. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(12 * 60).default(15),

  /**
   * Rate limits, requests per minute, counted in PostgreSQL (shared by every app instance). Sign-in (nonce and
   * verify, each a request) is limited per client address; the others per session and, at ten times the
   * figure, per client address (many users may share one address behind a hospital's NAT).
   */
  RATE_LIMIT_SIGN_IN: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_KEYS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_RECORDS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_UPLOADS: z.coerce.number().int().min(1).default(120),
  /**
   * The client address is the X-Forwarded-For entry this many places from the right: 0 when the app is reached
   * directly or through one proxy that appends the address it saw (nginx's $proxy_add_x_forwarded_for); 1 behind
   * two such proxies, and so on.
   */
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
});

export type Env = z.infer<typeof envSchema>;
