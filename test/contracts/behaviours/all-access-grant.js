// Shared suite: setting the expiry of a doctor's all-records grant, as PatientContract.grantAllAccess and
// PatientContract.updateAllAccessExpiry both do. Same checks in the same order, same custom errors, and the
// expiry they set rules canRead, getGrants, getAllAccess, logAccess and the doctor's right to add records.
"use strict";

const { expectCustomError } = require("../helpers/errors");
const { ZERO_ADDRESS, CODEC_RAW, latestTime, increaseTime, bytes32Of } = require("../helpers/chain");

const DAY = 24 * 3600;

/**
 * @param {() => {
 *   patients: object, doctors: object,                   the deployed contracts
 *   admin: string, patient: string, doctor: string, stranger: string,
 *   records: string[],                                   three records of `patient`
 *   addRecords: (count: number, owner: string) => Promise<string[]>,
 *   setExpiry: (doctor: string, expiresAt: number|string, options: { from: string }) => Promise<object>,
 * }} subject Called inside each test, after the caller's beforeEach has deployed fresh contracts, added the
 * records and made whatever grant `setExpiry` needs (for updateAllAccessExpiry: an all-records grant to `doctor`).
 */
function shouldBehaveLikeAllAccessExpiry(subject) {
  describe("setting the all-records expiry", function () {
    it("sets the expiry that getAllAccess, getGrants and canRead report", async function () {
      const { patients, patient, doctor, records, setExpiry } = subject();
      const expiresAt = (await latestTime()) + 30 * DAY;
      await setExpiry(doctor, expiresAt, { from: patient });

      const all = await patients.getAllAccess(patient, doctor);
      assert.isTrue(all.granted);
      assert.strictEqual(all.expiresAt.toString(), String(expiresAt));
      const grants = await patients.getGrants(patient, doctor, 0, 10);
      const view = grants.map((g) => [g.recordId.toString(), g.granted, g.allRecords, g.expiresAt.toString(), g.readable]);
      assert.deepEqual(
        view,
        records.map((recordId) => [recordId, true, true, String(expiresAt), true]),
      );
      for (const recordId of records) assert.isTrue(await patients.canRead(doctor, recordId));
    });

    it("covers records added later", async function () {
      const { patients, patient, doctor, addRecords, setExpiry } = subject();
      await setExpiry(doctor, (await latestTime()) + 30 * DAY, { from: patient });
      const [later] = await addRecords(1, patient);
      assert.isTrue(await patients.canRead(doctor, later));
    });

    it("ends read access, access logging and adding records at the expiry time", async function () {
      const { patients, patient, doctor, records, setExpiry } = subject();
      const soon = (await latestTime()) + 1000;
      await setExpiry(doctor, soon, { from: patient });

      await increaseTime(500);
      assert.isTrue(await patients.canRead(doctor, records[0]));
      await patients.logAccess(records[0], { from: doctor });
      await patients.addRecord(patient, bytes32Of("all-access:before-expiry"), CODEC_RAW, { from: doctor });

      await increaseTime(600);
      assert.isFalse(await patients.canRead(doctor, records[0]));
      const [grant] = await patients.getGrants(patient, doctor, 0, 1);
      assert.isTrue(grant.granted, "an expired grant is still reported");
      assert.isTrue(grant.allRecords);
      assert.strictEqual(grant.expiresAt.toString(), String(soon));
      assert.isFalse(grant.readable);
      await expectCustomError(
        patients.logAccess(records[0], { from: doctor }),
        "PatientContractAccessDenied(address,uint256)",
        [doctor, records[0]],
      );
      await expectCustomError(
        patients.addRecord(patient, bytes32Of("all-access:after-expiry"), CODEC_RAW, { from: doctor }),
        "PatientContractWriteDenied(address,address)",
        [doctor, patient],
      );
    });

    it("never expires with expiry 0", async function () {
      const { patients, patient, doctor, records, setExpiry } = subject();
      await setExpiry(doctor, 0, { from: patient });
      await increaseTime(3650 * DAY);
      assert.isTrue(await patients.canRead(doctor, records[0]));
      await patients.addRecord(patient, bytes32Of("all-access:no-expiry"), CODEC_RAW, { from: doctor });
      assert.strictEqual((await patients.getAllAccess(patient, doctor)).expiresAt.toString(), "0");
    });

    it("accepts the largest expiry", async function () {
      const { patients, patient, doctor, setExpiry } = subject();
      const max = (2n ** 64n - 1n).toString();
      await setExpiry(doctor, max, { from: patient });
      assert.strictEqual((await patients.getAllAccess(patient, doctor)).expiresAt.toString(), max);
    });

    it("reverts when the doctor is the zero address", async function () {
      const { patient, setExpiry } = subject();
      await expectCustomError(setExpiry(ZERO_ADDRESS, 0, { from: patient }), "PatientContractZeroAddress()", []);
    });

    it("reverts when the caller is not a patient", async function () {
      const { doctor, stranger, setExpiry } = subject();
      await expectCustomError(
        setExpiry(doctor, 0, { from: stranger }),
        "PatientContractNotRegistered(address)",
        [stranger],
      );
    });

    it("reverts when the doctor is not registered", async function () {
      const { patient, stranger, setExpiry } = subject();
      await expectCustomError(
        setExpiry(stranger, 0, { from: patient }),
        "PatientContractNotActiveDoctor(address)",
        [stranger],
      );
    });

    it("reverts when the doctor is deactivated", async function () {
      const { doctors, admin, patient, doctor, setExpiry } = subject();
      await doctors.deactivateDoctor(doctor, { from: admin });
      await expectCustomError(
        setExpiry(doctor, 0, { from: patient }),
        "PatientContractNotActiveDoctor(address)",
        [doctor],
      );
    });

    it("reverts when the expiry is in the past", async function () {
      const { patient, doctor, setExpiry } = subject();
      const past = (await latestTime()) - 10;
      await expectCustomError(
        setExpiry(doctor, past, { from: patient }),
        "PatientContractInvalidExpiry(uint64)",
        [past],
      );
    });

    it("reverts when the expiry is the current block time", async function () {
      const { patient, doctor, setExpiry } = subject();
      const now = await latestTime();
      await expectCustomError(
        setExpiry(doctor, now, { from: patient }),
        "PatientContractInvalidExpiry(uint64)",
        [now],
      );
    });

    it("checks the doctor before the expiry when both are wrong", async function () {
      const { patient, setExpiry } = subject();
      const past = (await latestTime()) - 1;
      await expectCustomError(setExpiry(ZERO_ADDRESS, past, { from: patient }), "PatientContractZeroAddress()", []);
    });

    it("checks the expiry before the doctor's status when both are wrong", async function () {
      const { patient, stranger, setExpiry } = subject();
      const past = (await latestTime()) - 1;
      await expectCustomError(
        setExpiry(stranger, past, { from: patient }),
        "PatientContractInvalidExpiry(uint64)",
        [past],
      );
    });
  });
}

module.exports = { shouldBehaveLikeAllAccessExpiry };
