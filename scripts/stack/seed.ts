import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import { Web3 } from "web3";
import type { ContractAddresses } from "./artifacts";
import { StartupError } from "./errors";
import type { RunningStack } from "./index";

/** The doctor `npm run seed` registers as Ganache account #1, so sharing can be tried without the admin step. */
export const DEMO_DOCTOR = { name: "Dr. Demo Doctor", specialty: "General practice", licenceNumber: "DEMO-0001" } as const;

export interface SeedOptions {
  rpcUrl: string;
  chainId: number;
  addresses: ContractAddresses;
  /** The app's database, for the licence salt; omitted: no salt is stored. */
  databaseUrl?: string;
  log: (message: string) => void;
}

export interface SeedResult {
  doctor: string;
  /** False when the doctor was already registered (nothing was sent). */
  registered: boolean;
  /** Whether the licence salt went into doctor_licence_salts (false when the table does not exist yet). */
  saltStored: boolean;
}

/** The scheme the admin dashboard uses: sha256(salt || utf8(licence number)), a bytes32. */
export function licenceHash(salt: Uint8Array, licenceNumber: string): `0x${string}` {
  return `0x${createHash("sha256").update(salt).update(licenceNumber.trim(), "utf8").digest("hex")}`;
}

/**
 * Registers the demo doctor (the chain's unlocked account #1), signed by account #0, the contracts' first
 * admin, through the chain's RPC: Ganache's accounts are unlocked, so no key leaves the chain. Idempotent: an
 * already registered doctor is reported and left alone. The licence salt is stored before the transaction is
 * sent, as the admin dashboard does, so the licence can be verified later.
 */
export async function seedDemoDoctor(options: SeedOptions): Promise<SeedResult> {
  const { log } = options;
  const web3 = new Web3(options.rpcUrl);
  const chainId = await web3.eth.getChainId().catch(() => {
    throw new StartupError(`No chain answers at ${options.rpcUrl}: start the system with \`npm start\` first (same DATA_DIR, CHAIN_PORT and EMBEDDED_PG_PORT).`);
  });
  if (Number(chainId) !== options.chainId) throw new StartupError(`The chain at ${options.rpcUrl} has chain id ${chainId}, not CHAIN_ID ${options.chainId}.`);
  const accounts = await web3.eth.getAccounts();
  const [admin, doctor] = accounts.map((account) => account.toLowerCase());
  if (!admin || !doctor) {
    throw new StartupError(`The chain at ${options.rpcUrl} has no unlocked test accounts to sign with: seeding is for the embedded Ganache of \`npm start\`.`);
  }
  if ((await web3.eth.getCode(options.addresses.DoctorContract)) === "0x") {
    throw new StartupError(`No DoctorContract at ${options.addresses.DoctorContract} on chain ${chainId}: start the system with \`npm start\` first.`);
  }
  // Loaded here, not at the top: a fresh clone has no generated module until `npm start` has compiled.
  const { doctorContractAbi } = await import("@/lib/chain/generated/contracts");
  const registry = new web3.eth.Contract(doctorContractAbi, options.addresses.DoctorContract);
  if (!(await registry.methods.isAdmin(admin).call())) throw new StartupError(`Account #0 (${admin}) is not an administrator of DoctorContract; nothing was seeded.`);

  if (await registry.methods.isDoctor(doctor).call()) {
    const entry = await registry.methods.getDoctor(doctor).call();
    log(`Demo doctor already registered: account #1 ${doctor} (${entry.name}, ${entry.active ? "active" : "deactivated"}); nothing to do.`);
    return { doctor, registered: false, saltStored: false };
  }

  const salt = randomBytes(32);
  const saltStored = options.databaseUrl ? await storeLicenceSalt(options.databaseUrl, doctor, salt, admin) : false;
  log(
    saltStored
      ? "Licence salt stored in doctor_licence_salts."
      : options.databaseUrl
        ? "The database has no doctor_licence_salts table yet: the licence salt was not stored (the licence cannot be verified later)."
        : "No database given: the licence salt was not stored.",
  );
  const register = registry.methods.registerDoctor(doctor, DEMO_DOCTOR.name, DEMO_DOCTOR.specialty, licenceHash(salt, DEMO_DOCTOR.licenceNumber));
  // Ganache gives a transaction without a gas limit only 90,000; the estimate also fails early on a revert.
  const gas = ((await register.estimateGas({ from: admin })) * 12n) / 10n;
  const receipt = await register.send({ from: admin, gas: gas.toString() });
  log(`Registered the demo doctor: account #1 ${doctor}, "${DEMO_DOCTOR.name}", ${DEMO_DOCTOR.specialty}, licence ${DEMO_DOCTOR.licenceNumber} (tx ${receipt.transactionHash}).`);
  return { doctor, registered: true, saltStored };
}

/**
 * `--seed` on `npm start` / `npm run dev`: seeds the stack just started. A failure is reported and the system
 * keeps running: seeding is a convenience for trying the portals.
 */
export async function seedStartedStack(stack: RunningStack, chainId: number, log: (message: string) => void): Promise<void> {
  if (!stack.addresses) return log("--seed seeds only the embedded chain (RPC_URL is set): nothing seeded. `npm run seed` works on any chain with unlocked test accounts.");
  await seedDemoDoctor({ rpcUrl: stack.rpcUrl, chainId, addresses: stack.addresses, databaseUrl: stack.database.url, log }).catch((error: unknown) =>
    log(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}

/**
 * Upserts the salt as the admin API does (lib/db/repositories/licence-salts.ts, which is server-only); a later
 * run replaces the salt of an attempt whose transaction failed. False when the table does not exist yet (a
 * database migrated before lib/db/migrations/0004_sharing.sql).
 */
async function storeLicenceSalt(databaseUrl: string, doctor: string, salt: Uint8Array, admin: string): Promise<boolean> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 5_000 });
  try {
    const { rows } = await pool.query<{ exists: boolean }>("SELECT to_regclass('doctor_licence_salts') IS NOT NULL AS exists");
    if (!rows[0]?.exists) return false;
    await pool.query(
      `INSERT INTO doctor_licence_salts (address, salt, set_by) VALUES ($1, $2, $3)
       ON CONFLICT (address) DO UPDATE SET salt = EXCLUDED.salt, set_by = EXCLUDED.set_by, updated_at = now()`,
      [doctor, Buffer.from(salt), admin],
    );
    return true;
  } catch (error) {
    throw new StartupError(`The database could not store the licence salt: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await pool.end();
  }
}
