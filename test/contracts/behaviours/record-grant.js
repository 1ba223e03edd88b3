// Shared suite: granting one record to a doctor, as PatientContract.grantAccess (with a one-element list) and
// PatientContract.grantRecordAccess both do. Same checks, same custom errors, same AccessGranted event.
"use strict";

const { expectCustomError } = require("../helpers/errors");
const { expectEvents } = require("../helpers/events");
const { ZERO_ADDRESS, latestTime, increaseTime, recordIdOf } = require("../helpers/chain");

const DAY = 24 * 3600;

/**
 * @param {() => {
 *   patients: object, doctors: object,                   the deployed contracts
 *   admin: string, patient: string, otherPatient: string, doctor: string, otherDoctor: string, stranger: string,
 *   records: string[],                                   three records of `patient`
 *   addRecords: (count: number, owner: string) => Promise<string[]>,
 *   grant: (doctor: string, recordId: string, expiresAt: number, options: { from: string }) => Promise<object>,
 * }} subject Called inside each test, after the caller's beforeEach has deployed fresh contracts and added the
 * records.
 */
function shouldBehaveLikeRecordGrant(subject) {
  describe("granting one record", function () {
    it("grants the record until the expiry and emits only AccessGranted", async function () {
      const { patients, patient, doctor, otherDoctor, records, grant } = subject();
      const expiresAt = (await latestTime()) + 30 * DAY;
      const result = await grant(doctor, records[0], expiresAt, { from: patient });
      expectEvents(result, [["AccessGranted", { patient, doctor, recordId: records[0], expiresAt }]]);
      assert.isTrue(await patients.canRead(doctor, records[0]));
      assert.isFalse(await patients.canRead(doctor, records[1]), "other records stay private");
      assert.isFalse(await patients.canRead(otherDoctor, records[0]), "other doctors get nothing");
      const [entry] = await patients.getGrants(patient, doctor, 0, 1);
      assert.isTrue(entry.granted);
      assert.isFalse(entry.allRecords);
      assert.strictEqual(entry.expiresAt.toString(), String(expiresAt));
    });

    it("ends read access at the expiry time", async function () {
      const { patients, patient, doctor, records, grant } = subject();
      const soon = (await latestTime()) + 1000;
      await grant(doctor, records[0], soon, { from: patient });
      await increaseTime(500);
      assert.isTrue(await patients.canRead(doctor, records[0]));
      await increaseTime(600);
      assert.isFalse(await patients.canRead(doctor, records[0]));
    });

    it("never expires a grant without expiry", async function () {
      const { patients, patient, doctor, records, grant } = subject();
      const result = await grant(doctor, records[0], 0, { from: patient });
      expectEvents(result, [["AccessGranted", { patient, doctor, recordId: records[0], expiresAt: 0 }]]);
      await increaseTime(3650 * DAY);
      assert.isTrue(await patients.canRead(doctor, records[0]));
    });

    it("replaces the expiry when the record is granted again", async function () {
      const { patients, patient, doctor, records, grant } = subject();
      const soon = (await latestTime()) + 1000;
      await grant(doctor, records[0], soon, { from: patient });
      await grant(doctor, records[0], soon + 30 * DAY, { from: patient });
      await increaseTime(2000);
      assert.isTrue(await patients.canRead(doctor, records[0]));
    });

    it("gives a record excluded from the all-records grant back only for the grant's own lifetime", async function () {
      // Review scenario: grantAllAccess(D, 0), revokeAccess(D, [R]), grant(D, R, now + 1 day); a day later R is
      // unreadable again, because the per-record grant does not lift the exclusion.
      const { patients, patient, doctor, records, grant } = subject();
      await patients.grantAllAccess(doctor, 0, { from: patient });
      await patients.revokeAccess(doctor, [records[0]], { from: patient });
      assert.isFalse(await patients.canRead(doctor, records[0]));

      const oneDay = (await latestTime()) + DAY;
      const result = await grant(doctor, records[0], oneDay, { from: patient });
      expectEvents(result, [["AccessGranted", { patient, doctor, recordId: records[0], expiresAt: oneDay }]]);
      assert.isTrue(await patients.canRead(doctor, records[0]));
      let [entry] = await patients.getGrants(patient, doctor, 0, 1);
      assert.deepEqual(
        [entry.granted, entry.allRecords, entry.expiresAt.toString(), entry.readable],
        [true, false, String(oneDay), true],
        "covered by the per-record grant only",
      );

      await increaseTime(DAY + 1);
      assert.isFalse(await patients.canRead(doctor, records[0]), "excluded again once the per-record grant expired");
      assert.isTrue(await patients.canRead(doctor, records[1]), "the other records stay covered");
      [entry] = await patients.getGrants(patient, doctor, 0, 1);
      assert.deepEqual(
        [entry.granted, entry.allRecords, entry.expiresAt.toString(), entry.readable],
        [true, false, String(oneDay), false],
        "an expired per-record grant, not the all-records grant",
      );
    });

    it("keeps the exclusion from the all-records grant when the per-record grant is revoked", async function () {
      const { patients, patient, doctor, records, grant } = subject();
      await patients.grantAllAccess(doctor, 0, { from: patient });
      await patients.revokeAccess(doctor, [records[0]], { from: patient });
      await grant(doctor, records[0], 0, { from: patient });
      await patients.revokeAccess(doctor, [records[0]], { from: patient });
      assert.isFalse(await patients.canRead(doctor, records[0]));
      assert.isTrue(await patients.canRead(doctor, records[1]));
      await expectCustomError(
        patients.revokeAccess(doctor, [records[0]], { from: patient }),
        "PatientContractGrantNotFound(address,uint256)",
        [doctor, records[0]],
      );
    });

    it("grants in the current epoch: it survives another doctor's revocation, not the doctor's own", async function () {
      const { patients, patient, doctor, otherDoctor, records, grant } = subject();
      await patients.revokeAllAccess(doctor, { from: patient }); // moves the patient's epoch on
      await grant(doctor, records[0], 0, { from: patient });
      assert.isTrue(await patients.canRead(doctor, records[0]), "a grant made after revokeAllAccess counts");
      await patients.revokeAllAccess(otherDoctor, { from: patient });
      assert.isTrue(await patients.canRead(doctor, records[0]), "another doctor's revocation does not end it");
      await patients.revokeAllAccess(doctor, { from: patient });
      assert.isFalse(await patients.canRead(doctor, records[0]), "the doctor's own revocation ends it");
    });

    it("stops being readable while the doctor is deactivated", async function () {
      const { patients, doctors, admin, patient, doctor, records, grant } = subject();
      await grant(doctor, records[0], 0, { from: patient });
      await doctors.deactivateDoctor(doctor, { from: admin });
      assert.isFalse(await patients.canRead(doctor, records[0]));
    });

    it("reverts when the doctor is the zero address", async function () {
      const { patient, records, grant } = subject();
      const result = grant(ZERO_ADDRESS, records[0], 0, { from: patient });
      await expectCustomError(result, "PatientContractZeroAddress()", []);
    });

    it("reverts when the caller is not a patient", async function () {
      const { doctor, stranger, records, grant } = subject();
      await expectCustomError(
        grant(doctor, records[0], 0, { from: stranger }),
        "PatientContractNotRegistered(address)",
        [stranger],
      );
    });

    it("reverts when a patient grants an unregistered doctor", async function () {
      const { patient, stranger, records, grant } = subject();
      await expectCustomError(
        grant(stranger, records[0], 0, { from: patient }),
        "PatientContractNotActiveDoctor(address)",
        [stranger],
      );
    });

    it("reverts when a patient grants an inactive doctor", async function () {
      const { doctors, admin, patient, doctor, records, grant } = subject();
      await doctors.deactivateDoctor(doctor, { from: admin });
      await expectCustomError(
        grant(doctor, records[0], 0, { from: patient }),
        "PatientContractNotActiveDoctor(address)",
        [doctor],
      );
    });

    it("reverts when the expiry is in the past", async function () {
      const { patient, doctor, records, grant } = subject();
      const past = (await latestTime()) - 1;
      await expectCustomError(
        grant(doctor, records[0], past, { from: patient }),
        "PatientContractInvalidExpiry(uint64)",
        [past],
      );
    });

    it("reverts when the expiry is the current block time", async function () {
      const { patient, doctor, records, grant } = subject();
      const now = await latestTime();
      await expectCustomError(
        grant(doctor, records[0], now, { from: patient }),
        "PatientContractInvalidExpiry(uint64)",
        [now],
      );
    });

    it("reverts when the expiry is 1, the smallest non-zero time", async function () {
      const { patient, doctor, records, grant } = subject();
      const result = grant(doctor, records[0], 1, { from: patient });
      await expectCustomError(result, "PatientContractInvalidExpiry(uint64)", [1]);
    });

    it("accepts the largest expiry", async function () {
      const { patients, patient, doctor, records, grant } = subject();
      const max = (2n ** 64n - 1n).toString();
      await grant(doctor, records[0], max, { from: patient });
      const [entry] = await patients.getGrants(patient, doctor, 0, 1);
      assert.strictEqual(entry.expiresAt.toString(), max);
      assert.isTrue(entry.readable);
    });

    it("checks the doctor before the expiry when both are wrong", async function () {
      const { patient, records, grant } = subject();
      const past = (await latestTime()) - 1;
      const result = grant(ZERO_ADDRESS, records[0], past, { from: patient });
      await expectCustomError(result, "PatientContractZeroAddress()", []);
    });

    it("reverts when granting a record that is not theirs", async function () {
      const { patients, patient, otherPatient, doctor, grant, addRecords } = subject();
      await patients.registerPatient(`0x${"11".repeat(32)}`, { from: otherPatient });
      const [theirs] = await addRecords(1, otherPatient);
      await expectCustomError(
        grant(doctor, theirs, 0, { from: patient }),
        "PatientContractNotRecordOwner(address,uint256)",
        [patient, theirs],
      );
      assert.isFalse(await patients.canRead(doctor, theirs));
    });

    it("reverts when granting a record that does not exist yet", async function () {
      const { patient, doctor, records, grant } = subject();
      const future = recordIdOf(patient, records.length);
      await expectCustomError(
        grant(doctor, future, 0, { from: patient }),
        "PatientContractRecordNotFound(uint256)",
        [future],
      );
    });
  });
}

module.exports = { shouldBehaveLikeRecordGrant };
