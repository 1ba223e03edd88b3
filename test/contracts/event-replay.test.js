"use strict";

// Events replayed from block 0 rebuild exactly the on-chain state. A seeded random sequence of operations (records,
// amendments, per-record and all-records grants, expiry changes, revocations, doctors deactivated and reactivated,
// key rotations, emergency opt-ins, requests, approvals and refusals, administrators and their keys, time passing)
// runs against fresh contracts; then only the events of both contracts, read from block 0 and applied with the
// contracts' documented rules, must give every view: records, grants (getGrants, getAllAccess, canRead),
// doctors, administrators, emergency keys and requests. Set EVENT_REPLAY_SEED to run another sequence.
const DoctorContract = artifacts.require("DoctorContract");
const PatientContract = artifacts.require("PatientContract");

const { CODEC_RAW, CODEC_DAG_PB, ZERO_BYTES32, latestTime, increaseTime, bytes32Of } = require("./helpers/chain");

const DEFAULT_SEED = 20261130;
const SEED = Number(process.env.EVENT_REPLAY_SEED || DEFAULT_SEED);
const STEPS = 300;
const HOUR = 3600;
const DAY = 24 * HOUR;
const STATES = ["pending", "approved", "refused"];

/** mulberry32: a small seeded PRNG, so that a failing sequence can be run again. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lower = (value) => String(value).toLowerCase();
const str = (value) => (value === null || value === undefined ? String(value) : web3.utils.isBN(value) ? value.toString() : String(value));

contract("event replay", function (accounts) {
  const [admin, admin2, admin3, d1, d2, d3, p1, p2, p3] = accounts;
  const ADMINS = [admin, admin2, admin3];
  const DOCTORS = [d1, d2, d3];
  const PATIENTS = [p1, p2, p3];
  const LICENCE = bytes32Of("licence:MED-REPLAY");

  let doctors;
  let patients;
  const outcome = { sent: 0, reverted: 0, byName: {} };

  before(async function () {
    this.timeout(600_000);
    doctors = await DoctorContract.new({ from: admin });
    patients = await PatientContract.new(doctors.address, { from: admin });
    const random = prng(SEED);
    const pick = (list) => list[Math.floor(random() * list.length)];
    const chance = (p) => random() < p;
    let counter = 0;
    const digest = () => bytes32Of(`replay:${SEED}:${counter++}`);

    /** Sends one transaction; a revert (custom error) is counted and skipped: it emits nothing. */
    const attempt = async (contract, name, args, from) => {
      outcome.sent += 1;
      try {
        await contract[name](...args, { from });
        outcome.byName[name] = (outcome.byName[name] || 0) + 1;
      } catch (error) {
        if (!/revert/i.test(error.message)) throw error;
        outcome.reverted += 1;
      }
    };
    const recordsOf = async (patient) => {
      const count = Number(await patients.recordCount(patient));
      return Array.from({ length: count }, (_, i) => ((BigInt(patient) << 96n) | BigInt(i)).toString());
    };
    const someRecords = async (patient) => {
      const all = await recordsOf(patient);
      return all.filter(() => chance(0.4)).slice(0, 4);
    };
    const expiry = async () => (chance(0.3) ? 0 : (await latestTime()) + HOUR + Math.floor(random() * 5 * DAY));

    // A base every sequence starts from: administrators with keys, doctors, patients with a few records.
    await doctors.addAdmin(admin2, { from: admin });
    await doctors.addAdmin(admin3, { from: admin });
    for (const account of ADMINS) await doctors.setAdminEncryptionKey(bytes32Of(`admin-key:${account}`), { from: account });
    for (const [i, doctor] of DOCTORS.entries()) {
      await doctors.registerDoctor(doctor, `Dr. Replay ${i}`, "General practice", LICENCE, { from: admin });
    }
    for (const patient of PATIENTS) {
      await patients.registerPatient(bytes32Of(`patient-key:${patient}`), { from: patient });
      await patients.addRecord(patient, digest(), CODEC_RAW, { from: patient });
    }

    const operations = [
      [8, async () => { const p = pick(PATIENTS); await attempt(patients, "addRecord", [p, digest(), pick([CODEC_RAW, CODEC_DAG_PB])], p); }],
      [3, async () => attempt(patients, "addRecord", [pick(PATIENTS), digest(), CODEC_RAW], pick(DOCTORS))],
      [3, async () => { const p = pick(PATIENTS); const records = await recordsOf(p); if (records.length) await attempt(patients, "amendRecord", [pick(records), digest(), CODEC_RAW], chance(0.7) ? p : pick(DOCTORS)); }],
      [8, async () => { const p = pick(PATIENTS); const records = await recordsOf(p); if (records.length) await attempt(patients, "grantRecordAccess", [pick(DOCTORS), pick(records), await expiry()], p); }],
      [5, async () => { const p = pick(PATIENTS); const records = await someRecords(p); if (records.length) await attempt(patients, "grantAccess", [pick(DOCTORS), records, await expiry()], p); }],
      [5, async () => { const p = pick(PATIENTS); await attempt(patients, "grantAllAccess", [pick(DOCTORS), await expiry()], p); }],
      [3, async () => { const p = pick(PATIENTS); await attempt(patients, "updateAllAccessExpiry", [pick(DOCTORS), await expiry()], p); }],
      [6, async () => { const p = pick(PATIENTS); const records = await someRecords(p); if (records.length) await attempt(patients, "revokeAccess", [pick(DOCTORS), records], p); }],
      [3, async () => { const p = pick(PATIENTS); await attempt(patients, "revokeAllAccess", [pick(DOCTORS)], p); }],
      // Exclusions: records revoked from an all-records grant, then maybe a fresh all-records grant or an expiry change.
      [3, async () => {
        const [p, d] = [pick(PATIENTS), pick(DOCTORS)];
        await attempt(patients, "grantAllAccess", [d, await expiry()], p);
        const records = await someRecords(p);
        if (records.length) await attempt(patients, "revokeAccess", [d, records], p);
        if (chance(0.5)) await attempt(patients, chance(0.5) ? "grantAllAccess" : "updateAllAccessExpiry", [d, await expiry()], p);
      }],
      [2, async () => { const p = pick(PATIENTS); await attempt(patients, "setEncryptionKey", [digest()], p); }],
      [3, async () => { const p = pick(PATIENTS); const records = await recordsOf(p); if (records.length) await attempt(patients, "logAccess", [pick(records)], pick(DOCTORS)); }],
      [1, async () => attempt(doctors, "deactivateDoctor", [pick(DOCTORS)], pick(ADMINS))],
      [3, async () => attempt(doctors, "reactivateDoctor", [pick(DOCTORS)], pick(ADMINS))],
      [1, async () => { const d = pick(DOCTORS); await attempt(doctors, "setEncryptionKey", [digest()], d); }],
      [1, async () => attempt(doctors, "addAdmin", [admin3], pick(ADMINS))],
      [1, async () => attempt(doctors, "removeAdmin", [admin3], pick(ADMINS))],
      [2, async () => { const a = pick(ADMINS); await attempt(doctors, "setAdminEncryptionKey", [digest()], a); }],
      [1, async () => attempt(doctors, "setEmergencyThreshold", [pick([1, 2, 2, 3])], pick(ADMINS))],
      [1, async () => attempt(doctors, "setEmergencyWindow", [pick([HOUR, 6 * HOUR, DAY, 2 * DAY])], pick(ADMINS))],
      [4, async () => { const p = pick(PATIENTS); await attempt(doctors, "setEmergencyKey", [digest(), pick([2, 2, 3])], p); }],
      [1, async () => { const p = pick(PATIENTS); await attempt(doctors, "clearEmergencyKey", [], p); }],
      [4, async () => attempt(doctors, "requestEmergencyAccess", [pick(PATIENTS), 1 + Math.floor(random() * 4), chance(0.5) ? digest() : ZERO_BYTES32], pick(DOCTORS))],
      // An emergency episode: a request and, at once, a few administrators deciding on it.
      [4, async () => {
        await attempt(doctors, "requestEmergencyAccess", [pick(PATIENTS), 1 + Math.floor(random() * 4), ZERO_BYTES32], pick(DOCTORS));
        const id = Number(await doctors.emergencyRequestCount());
        for (let i = Math.floor(random() * 4); id > 0 && i > 0; i--) {
          await attempt(doctors, chance(0.85) ? "approveEmergencyAccess" : "refuseEmergencyAccess", [id], pick(ADMINS));
        }
      }],
      [8, async () => { const count = Number(await doctors.emergencyRequestCount()); if (count) await attempt(doctors, "approveEmergencyAccess", [Math.max(1, count - Math.floor(random() * 3))], pick(ADMINS)); }],
      [2, async () => { const count = Number(await doctors.emergencyRequestCount()); if (count) await attempt(doctors, "refuseEmergencyAccess", [Math.max(1, count - Math.floor(random() * 3))], pick(ADMINS)); }],
      [4, async () => increaseTime(Math.floor(random() * 12 * HOUR))],
    ];
    const total = operations.reduce((sum, [weight]) => sum + weight, 0);
    for (let step = 0; step < STEPS; step++) {
      let roll = random() * total;
      const [, run] = operations.find(([weight]) => (roll -= weight) < 0) ?? operations[operations.length - 1];
      await run();
    }
  });

  /** The state rebuilt from the events of both contracts alone, from block 0. */
  async function replay() {
    const events = [
      ...(await doctors.getPastEvents("allEvents", { fromBlock: 0, toBlock: "latest" })),
      ...(await patients.getPastEvents("allEvents", { fromBlock: 0, toBlock: "latest" })),
    ].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    const blockTimes = new Map();
    const timeOf = async (blockNumber) => {
      if (!blockTimes.has(blockNumber)) blockTimes.set(blockNumber, Number((await web3.eth.getBlock(blockNumber)).timestamp));
      return blockTimes.get(blockNumber);
    };

    const s = {
      admins: new Set(),
      adminKeys: new Map(),
      threshold: 2,
      window: DAY,
      doctors: new Map(), // address -> entry
      doctorOrder: [],
      emergencyKeys: new Map(), // patient -> { key, threshold, version } (threshold 0 = cleared)
      requests: new Map(), // id -> request
      approvals: new Set(), // `${id}:${admin}`
      latest: new Map(), // `${doctor}:${patient}` -> id
      patientKeys: new Map(),
      records: new Map(), // patient -> [record]
      access: new Map(), // `${patient}:${doctor}` -> { perRecord: Map(recordId -> expiresAt), all: null | { expiresAt }, excluded: Set }
      counted: 0,
    };
    const accessOf = (patient, doctor) => {
      const key = `${patient}:${doctor}`;
      if (!s.access.has(key)) s.access.set(key, { perRecord: new Map(), all: null, excluded: new Set() });
      return s.access.get(key);
    };

    for (const event of events) {
      const a = event.args;
      s.counted += 1;
      switch (event.event) {
        case "AdminAdded":
          s.admins.add(lower(a.account));
          break;
        case "AdminRemoved":
          s.admins.delete(lower(a.account));
          s.adminKeys.delete(lower(a.account));
          break;
        case "AdminEncryptionKeySet":
          s.adminKeys.set(lower(a.admin), lower(a.key));
          break;
        case "EmergencyThresholdSet":
          s.threshold = Number(a.threshold);
          break;
        case "EmergencyWindowSet":
          s.window = Number(a.window);
          break;
        case "DoctorRegistered":
          s.doctors.set(lower(a.doctor), {
            name: a.name,
            specialty: a.specialty,
            licenceHash: lower(a.licenceHash),
            encryptionKey: ZERO_BYTES32,
            active: true,
            registeredAt: await timeOf(event.blockNumber),
          });
          s.doctorOrder.push(lower(a.doctor));
          break;
        case "DoctorDeactivated":
          s.doctors.get(lower(a.doctor)).active = false;
          break;
        case "DoctorReactivated":
          s.doctors.get(lower(a.doctor)).active = true;
          break;
        case "DoctorEncryptionKeySet":
          s.doctors.get(lower(a.doctor)).encryptionKey = lower(a.encryptionKey);
          break;
        case "EmergencyKeySet":
          s.emergencyKeys.set(lower(a.patient), { key: lower(a.key), threshold: Number(a.threshold), version: Number(a.version) });
          break;
        case "EmergencyKeyCleared": {
          const entry = s.emergencyKeys.get(lower(a.patient));
          s.emergencyKeys.set(lower(a.patient), { key: ZERO_BYTES32, threshold: 0, version: entry.version + 1 });
          break;
        }
        case "EmergencyAccessRequested": {
          const patient = lower(a.patient);
          const key = s.emergencyKeys.get(patient);
          s.requests.set(str(a.requestId), {
            doctor: lower(a.doctor),
            patient,
            reasonCode: Number(a.reasonCode),
            state: "pending",
            approvals: 0,
            threshold: Math.max(s.threshold, key.threshold),
            keyVersion: key.version,
            requestedAt: await timeOf(event.blockNumber),
            grantedUntil: 0,
          });
          s.latest.set(`${lower(a.doctor)}:${patient}`, str(a.requestId));
          break;
        }
        case "EmergencyAccessApproved":
          s.requests.get(str(a.requestId)).approvals = Number(a.approvals);
          s.approvals.add(`${str(a.requestId)}:${lower(a.admin)}`);
          break;
        case "EmergencyAccessGranted": {
          const request = s.requests.get(str(a.requestId));
          request.state = "approved";
          request.grantedUntil = Number(a.grantedUntil);
          break;
        }
        case "EmergencyAccessRefused":
          s.requests.get(str(a.requestId)).state = "refused";
          break;
        case "PatientRegistered":
          s.patientKeys.set(lower(a.patient), lower(a.encryptionKey));
          s.records.set(lower(a.patient), []);
          break;
        case "PatientEncryptionKeySet":
          s.patientKeys.set(lower(a.patient), lower(a.encryptionKey));
          break;
        case "RecordAdded":
          s.records.get(lower(a.patient)).push({
            recordId: str(a.recordId),
            author: lower(a.author),
            cidDigest: lower(a.cidDigest),
            codec: Number(a.codec),
            supersededBy: "0",
          });
          break;
        case "RecordAmended":
          s.records.get(lower(a.patient)).find((record) => record.recordId === str(a.recordId)).supersededBy = str(a.newRecordId);
          break;
        case "AccessGranted":
          accessOf(lower(a.patient), lower(a.doctor)).perRecord.set(str(a.recordId), Number(a.expiresAt));
          break;
        case "AllAccessGranted": {
          const access = accessOf(lower(a.patient), lower(a.doctor));
          access.all = { expiresAt: Number(a.expiresAt) };
          access.excluded = new Set(); // a new all-records grant covers every record again
          break;
        }
        case "AllAccessExpiryUpdated":
          accessOf(lower(a.patient), lower(a.doctor)).all.expiresAt = Number(a.expiresAt);
          break;
        case "AccessRevoked": {
          const access = accessOf(lower(a.patient), lower(a.doctor));
          access.perRecord.delete(str(a.recordId));
          if (access.all) access.excluded.add(str(a.recordId));
          break;
        }
        case "AllAccessRevoked":
          s.access.set(`${lower(a.patient)}:${lower(a.doctor)}`, { perRecord: new Map(), all: null, excluded: new Set() });
          break;
        case "RecordAccessed":
          break; // the access log: no state
        default:
          throw new Error(`The replay does not know the event ${event.event}`);
      }
    }
    return s;
  }

  /** Moves the clock on until no expiry of the replayed state lies within a minute of the latest block. */
  async function awayFromBoundaries(s) {
    const ends = [];
    for (const access of s.access.values()) {
      for (const expiresAt of access.perRecord.values()) ends.push(expiresAt);
      if (access.all) ends.push(access.all.expiresAt);
    }
    for (const request of s.requests.values()) ends.push(request.grantedUntil, request.requestedAt + s.window);
    for (let tries = 0; tries < 20; tries++) {
      const now = await latestTime();
      if (!ends.some((end) => end !== 0 && Math.abs(end - now) < 60)) return;
      await increaseTime(120);
    }
  }

  it("ran a varied sequence of operations (every kind, for the default seed)", async function () {
    if (SEED !== DEFAULT_SEED) this.skip();
    const kinds = Object.keys(outcome.byName);
    for (const name of ["addRecord", "amendRecord", "grantRecordAccess", "grantAccess", "grantAllAccess", "updateAllAccessExpiry", "revokeAccess", "revokeAllAccess", "approveEmergencyAccess"]) {
      assert.include(kinds, name, `seed ${SEED}: no successful ${name} in ${JSON.stringify(outcome)}`);
    }
    assert.isAtLeast(outcome.sent - outcome.reverted, 120, `seed ${SEED}: too few successful operations ${JSON.stringify(outcome)}`);
  });

  it("rebuilds every record, grant and revocation, and every doctor, administrator and emergency request", async function () {
    this.timeout(300_000);
    let s = await replay();
    await awayFromBoundaries(s);
    s = await replay();
    const now = await latestTime();
    const at = `seed ${SEED}`;
    const unexpired = (expiresAt) => expiresAt === 0 || now < expiresAt;
    const active = (doctor) => Boolean(s.doctors.get(lower(doctor))?.active);

    // Administrators, their keys and the settings.
    assert.sameMembers((await doctors.getAdmins()).map(lower), [...s.admins], `${at}: administrators`);
    assert.strictEqual(Number(await doctors.adminCount()), s.admins.size, `${at}: admin count`);
    assert.strictEqual(Number(await doctors.adminsWithKeyCount()), s.adminKeys.size, `${at}: administrators with a key`);
    for (const account of ADMINS) {
      assert.strictEqual(lower(await doctors.adminEncryptionKeyOf(account)), s.adminKeys.get(lower(account)) ?? ZERO_BYTES32, `${at}: key of ${account}`);
    }
    assert.strictEqual(Number(await doctors.emergencyThreshold()), s.threshold, `${at}: threshold`);
    assert.strictEqual(Number(await doctors.emergencyWindow()), s.window, `${at}: window`);

    // Doctors.
    const { accounts: listed, doctors: entries } = await doctors.getDoctors(0, 100);
    assert.deepEqual(listed.map(lower), s.doctorOrder, `${at}: doctors in registration order`);
    entries.forEach((entry, i) => {
      const expected = s.doctors.get(s.doctorOrder[i]);
      assert.deepEqual(
        [entry.name, entry.specialty, lower(entry.licenceHash), lower(entry.encryptionKey), entry.active, Number(entry.registeredAt)],
        [expected.name, expected.specialty, expected.licenceHash, expected.encryptionKey, expected.active, expected.registeredAt],
        `${at}: doctor ${s.doctorOrder[i]}`,
      );
    });

    // Emergency keys and requests.
    for (const patient of PATIENTS) {
      const entry = s.emergencyKeys.get(lower(patient));
      const expected = entry ? [entry.key, entry.threshold, entry.version] : [ZERO_BYTES32, 0, 0];
      const actual = await doctors.emergencyKeyOf(patient);
      assert.deepEqual([lower(actual.key), Number(actual.threshold), Number(actual.version)], expected, `${at}: emergency key of ${patient}`);
    }
    assert.strictEqual(Number(await doctors.emergencyRequestCount()), s.requests.size, `${at}: request count`);
    for (const [id, expected] of s.requests) {
      const r = await doctors.getEmergencyRequest(id);
      assert.deepEqual(
        {
          doctor: lower(r.doctor),
          patient: lower(r.patient),
          reasonCode: Number(r.reasonCode),
          state: STATES[Number(r.state)],
          approvals: Number(r.approvals),
          threshold: Number(r.threshold),
          keyVersion: Number(r.keyVersion),
          requestedAt: Number(r.requestedAt),
          grantedUntil: Number(r.grantedUntil),
        },
        expected,
        `${at}: emergency request ${id}`,
      );
      for (const account of ADMINS) {
        assert.strictEqual(await doctors.hasApprovedEmergency(id, account), s.approvals.has(`${id}:${lower(account)}`), `${at}: approval of ${id} by ${account}`);
      }
    }
    const emergency = (doctor, patient) => {
      const id = s.latest.get(`${lower(doctor)}:${lower(patient)}`);
      if (!id) return false;
      const request = s.requests.get(id);
      const key = s.emergencyKeys.get(lower(patient));
      return request.state === "approved" && now < request.grantedUntil && active(doctor) && key.version === request.keyVersion;
    };
    for (const doctor of DOCTORS) {
      for (const patient of PATIENTS) {
        const id = s.latest.get(`${lower(doctor)}:${lower(patient)}`);
        const access = await doctors.emergencyAccessOf(doctor, patient);
        assert.deepEqual(
          [str(access.requestId), Number(access.grantedUntil)],
          [id ?? "0", id ? s.requests.get(id).grantedUntil : 0],
          `${at}: emergencyAccessOf(${doctor}, ${patient})`,
        );
        assert.strictEqual(await doctors.hasEmergencyAccess(doctor, patient), emergency(doctor, patient), `${at}: hasEmergencyAccess(${doctor}, ${patient})`);
      }
    }

    // Patients, records, grants and revocations.
    for (const patient of PATIENTS) {
      const expectedRecords = s.records.get(lower(patient));
      assert.strictEqual(lower(await patients.encryptionKeyOf(patient)), s.patientKeys.get(lower(patient)), `${at}: key of ${patient}`);
      const onChain = await patients.getRecords(patient, 0, 1000);
      assert.deepEqual(
        onChain.map((r) => ({ recordId: str(r.recordId), author: lower(r.author), cidDigest: lower(r.cidDigest), codec: Number(r.codec), supersededBy: str(r.supersededBy) })),
        expectedRecords,
        `${at}: records of ${patient}`,
      );
      for (const doctor of DOCTORS) {
        const access = s.access.get(`${lower(patient)}:${lower(doctor)}`) ?? { perRecord: new Map(), all: null, excluded: new Set() };
        const all = await patients.getAllAccess(patient, doctor);
        assert.deepEqual([all.granted, Number(all.expiresAt)], [Boolean(access.all), access.all ? access.all.expiresAt : 0], `${at}: all-records grant ${patient} -> ${doctor}`);

        const grants = await patients.getGrants(patient, doctor, 0, 1000);
        const expectedGrants = expectedRecords.map(({ recordId }) => {
          const perRecord = access.perRecord.has(recordId);
          const perExpiry = access.perRecord.get(recordId) ?? 0;
          const viaAll = Boolean(access.all) && !access.excluded.has(recordId);
          const allExpiry = access.all ? access.all.expiresAt : 0;
          let expiresAt = 0;
          if (perRecord && viaAll) expiresAt = perExpiry === 0 || allExpiry === 0 ? 0 : Math.max(perExpiry, allExpiry);
          else if (perRecord) expiresAt = perExpiry;
          else if (viaAll) expiresAt = allExpiry;
          const live = (perRecord && unexpired(perExpiry)) || (viaAll && unexpired(allExpiry));
          return {
            grant: { recordId, granted: perRecord || viaAll, allRecords: viaAll, expiresAt, readable: active(doctor) && live },
            canRead: (live || emergency(doctor, patient)) && active(doctor),
          };
        });
        assert.deepEqual(
          grants.map((g) => ({ recordId: str(g.recordId), granted: g.granted, allRecords: g.allRecords, expiresAt: Number(g.expiresAt), readable: g.readable })),
          expectedGrants.map((e) => e.grant),
          `${at}: grants ${patient} -> ${doctor}`,
        );
        for (const [i, { recordId }] of expectedRecords.entries()) {
          assert.strictEqual(await patients.canRead(doctor, recordId), expectedGrants[i].canRead, `${at}: canRead(${doctor}, ${recordId})`);
        }
      }
    }
    assert.isAbove(s.counted, 150, `${at}: events replayed`);
  });
});
