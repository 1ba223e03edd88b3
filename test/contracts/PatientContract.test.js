"use strict";

const DoctorContract = artifacts.require("DoctorContract");
const PatientContract = artifacts.require("PatientContract");

const { expectCustomError } = require("./helpers/errors");
const { expectEvent, expectEvents, expectNoEvent } = require("./helpers/events");
const {
  CODEC_RAW,
  CODEC_DAG_PB,
  ZERO_ADDRESS,
  ZERO_BYTES32,
  latestTime,
  blockTimeOf,
  increaseTime,
  recordIdOf,
  bytes32Of,
} = require("./helpers/chain");
const { shouldBehaveLikePagedList } = require("./behaviours/paging");
const { shouldBehaveLikeRecordGrant } = require("./behaviours/record-grant");
const { shouldBehaveLikeAllAccessExpiry } = require("./behaviours/all-access-grant");

const DAY = 24 * 3600;

contract("PatientContract", function (accounts) {
  const [admin, doctor, otherDoctor, patient, otherPatient, stranger] = accounts;

  const PATIENT_KEY = bytes32Of("x25519:patient");
  const LICENCE = bytes32Of("licence:MED-1");

  let doctors;
  let patients;
  let digestCounter = 0;

  /** A fresh CID digest. */
  const nextDigest = () => bytes32Of(`record:${digestCounter++}`);

  /** Adds `count` raw records for `owner` (by `from`, the owner by default) and returns their ids. */
  async function addRecords(count, owner = patient, from = owner) {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const index = Number(await patients.recordCount(owner));
      await patients.addRecord(owner, nextDigest(), CODEC_RAW, { from });
      ids.push(recordIdOf(owner, index));
    }
    return ids;
  }

  beforeEach(async function () {
    doctors = await DoctorContract.new({ from: admin });
    await doctors.registerDoctor(doctor, "Dr. Alice Martin", "Cardiology", LICENCE, { from: admin });
    await doctors.registerDoctor(otherDoctor, "Dr. Bob Nguyen", "Oncology", LICENCE, { from: admin });
    patients = await PatientContract.new(doctors.address, { from: admin });
    await patients.registerPatient(PATIENT_KEY, { from: patient });
  });

  describe("deployment", function () {
    it("binds the contract to the doctor registry", async function () {
      assert.strictEqual(await patients.doctorRegistry(), doctors.address);
    });

    it("exposes the two supported CID codecs", async function () {
      assert.strictEqual((await patients.CODEC_RAW()).toString(), String(CODEC_RAW));
      assert.strictEqual((await patients.CODEC_DAG_PB()).toString(), String(CODEC_DAG_PB));
    });

    it("reverts when the registry is the zero address", async function () {
      await expectCustomError(PatientContract.new(ZERO_ADDRESS, { from: admin }), "PatientContractZeroAddress()", []);
    });

    it("reverts when the registry is not a contract", async function () {
      await expectCustomError(
        PatientContract.new(stranger, { from: admin }),
        "PatientContractInvalidRegistry(address)",
        [stranger],
      );
    });
  });

  describe("registerPatient", function () {
    it("registers the caller with their key and emits PatientRegistered", async function () {
      const result = await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
      expectEvents(result, [["PatientRegistered", { patient: otherPatient, encryptionKey: PATIENT_KEY }]]);
      assert.isTrue(await patients.isPatient(otherPatient));
      assert.strictEqual(await patients.encryptionKeyOf(otherPatient), PATIENT_KEY);
      assert.strictEqual((await patients.recordCount(otherPatient)).toString(), "0");
    });

    it("lets a doctor register as a patient", async function () {
      await patients.registerPatient(PATIENT_KEY, { from: doctor });
      assert.isTrue(await patients.isPatient(doctor));
    });

    it("reverts on double registration", async function () {
      await expectCustomError(
        patients.registerPatient(PATIENT_KEY, { from: patient }),
        "PatientContractAlreadyRegistered(address)",
        [patient],
      );
    });

    it("reverts when the key is zero", async function () {
      await expectCustomError(
        patients.registerPatient(ZERO_BYTES32, { from: otherPatient }),
        "PatientContractInvalidEncryptionKey()",
        [],
      );
    });
  });

  describe("setEncryptionKey", function () {
    it("rotates the patient's key and emits PatientEncryptionKeySet", async function () {
      const rotated = bytes32Of("x25519:patient:2");
      const result = await patients.setEncryptionKey(rotated, { from: patient });
      expectEvents(result, [["PatientEncryptionKeySet", { patient, encryptionKey: rotated }]]);
      assert.strictEqual(await patients.encryptionKeyOf(patient), rotated);
    });

    it("reverts when the caller is not a patient", async function () {
      await expectCustomError(
        patients.setEncryptionKey(PATIENT_KEY, { from: stranger }),
        "PatientContractNotRegistered(address)",
        [stranger],
      );
    });

    it("reverts when the key is zero", async function () {
      await expectCustomError(
        patients.setEncryptionKey(ZERO_BYTES32, { from: patient }),
        "PatientContractInvalidEncryptionKey()",
        [],
      );
    });
  });

  describe("patient views", function () {
    it("reports an unknown address as not a patient with no records", async function () {
      assert.isFalse(await patients.isPatient(stranger));
      assert.strictEqual((await patients.recordCount(stranger)).toString(), "0");
    });

    it("reverts encryptionKeyOf for an address that is not a patient", async function () {
      await expectCustomError(
        patients.encryptionKeyOf(stranger),
        "PatientContractNotRegistered(address)",
        [stranger],
      );
    });
  });

  describe("record ids", function () {
    it("packs the patient and the index: (patient << 96) | index", async function () {
      assert.strictEqual((await patients.recordIdOf(patient, 0)).toString(), recordIdOf(patient, 0));
      assert.strictEqual((await patients.recordIdOf(patient, 41)).toString(), recordIdOf(patient, 41));
      const maxIndex = ((1n << 96n) - 1n).toString();
      assert.strictEqual((await patients.recordIdOf(patient, maxIndex)).toString(), recordIdOf(patient, maxIndex));
    });

    it("gives back the patient of a record id", async function () {
      assert.strictEqual(await patients.patientOf(recordIdOf(patient, 7)), patient);
    });

    it("reverts when the index does not fit in 96 bits", async function () {
      const index = (1n << 96n).toString();
      await expectCustomError(
        patients.recordIdOf(patient, index),
        "PatientContractIndexOutOfRange(uint256)",
        [index],
      );
    });
  });

  describe("addRecord", function () {
    describe("by the patient", function () {
      it("stores the record, returns its id and emits RecordAdded with the block time", async function () {
        const digest = nextDigest();
        const expectedId = recordIdOf(patient, 0);
        assert.strictEqual(
          (await patients.addRecord.call(patient, digest, CODEC_RAW, { from: patient })).toString(),
          expectedId,
        );

        const result = await patients.addRecord(patient, digest, CODEC_RAW, { from: patient });
        expectEvents(result, [
          [
            "RecordAdded",
            {
              patient,
              author: patient,
              recordId: expectedId,
              cidDigest: digest,
              codec: CODEC_RAW,
              time: await blockTimeOf(result),
            },
          ],
        ]);

        const record = await patients.getRecord(expectedId);
        assert.strictEqual(record.recordId.toString(), expectedId);
        assert.strictEqual(record.patient, patient);
        assert.strictEqual(record.index.toString(), "0");
        assert.strictEqual(record.author, patient);
        assert.strictEqual(record.cidDigest, digest);
        assert.strictEqual(record.codec.toString(), String(CODEC_RAW));
        assert.strictEqual(record.supersededBy.toString(), "0");
        assert.strictEqual((await patients.recordCount(patient)).toString(), "1");
      });

      it("keeps the dag-pb codec of a chunked file", async function () {
        const digest = nextDigest();
        await patients.addRecord(patient, digest, CODEC_DAG_PB, { from: patient });
        const record = await patients.getRecord(recordIdOf(patient, 0));
        assert.strictEqual(record.cidDigest, digest);
        assert.strictEqual(record.codec.toString(), String(CODEC_DAG_PB));
      });

      it("numbers the records of each patient from 0", async function () {
        await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
        await addRecords(2, patient);
        await addRecords(1, otherPatient);
        const result = await patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: patient });
        expectEvent(result, "RecordAdded", {
          patient,
          author: patient,
          recordId: recordIdOf(patient, 2),
          cidDigest: (await patients.getRecord(recordIdOf(patient, 2))).cidDigest,
          codec: CODEC_RAW,
          time: await blockTimeOf(result),
        });
        assert.strictEqual((await patients.recordCount(patient)).toString(), "3");
        assert.strictEqual((await patients.recordCount(otherPatient)).toString(), "1");
      });

      it("reverts when the codec is neither raw nor dag-pb", async function () {
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), 0x71, { from: patient }),
          "PatientContractUnsupportedCodec(uint64)",
          [0x71],
        );
      });

      it("reverts when the CID digest is zero", async function () {
        await expectCustomError(
          patients.addRecord(patient, ZERO_BYTES32, CODEC_RAW, { from: patient }),
          "PatientContractInvalidCidDigest()",
          [],
        );
      });

      it("reverts when the patient is not registered", async function () {
        await expectCustomError(
          patients.addRecord(stranger, nextDigest(), CODEC_RAW, { from: stranger }),
          "PatientContractNotRegistered(address)",
          [stranger],
        );
      });

      it("reverts when the patient is the zero address", async function () {
        await expectCustomError(
          patients.addRecord(ZERO_ADDRESS, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractNotRegistered(address)",
          [ZERO_ADDRESS],
        );
      });
    });

    describe("by a doctor", function () {
      it("adds a record authored by a doctor with an all-records grant", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        const digest = nextDigest();
        const result = await patients.addRecord(patient, digest, CODEC_DAG_PB, { from: doctor });
        const recordId = recordIdOf(patient, 0);
        expectEvents(result, [
          [
            "RecordAdded",
            {
              patient,
              author: doctor,
              recordId,
              cidDigest: digest,
              codec: CODEC_DAG_PB,
              time: await blockTimeOf(result),
            },
          ],
        ]);
        const record = await patients.getRecord(recordId);
        assert.strictEqual(record.author, doctor);
        assert.strictEqual(record.codec.toString(), String(CODEC_DAG_PB));
        assert.isTrue(await patients.canRead(doctor, recordId), "the all-records grant covers it");
      });

      it("reverts when a stranger adds a record", async function () {
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: stranger }),
          "PatientContractNotActiveDoctor(address)",
          [stranger],
        );
      });

      it("reverts when a doctor adds a record without a grant", async function () {
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractWriteDenied(address,address)",
          [doctor, patient],
        );
      });

      it("reverts when a doctor holds only per-record grants", async function () {
        const [recordId] = await addRecords(1);
        await patients.grantAccess(doctor, [recordId], 0, { from: patient });
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractWriteDenied(address,address)",
          [doctor, patient],
        );
      });

      it("reverts when a doctor adds a record after the grant expired", async function () {
        await patients.grantAllAccess(doctor, (await latestTime()) + DAY, { from: patient });
        await patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor });
        await increaseTime(DAY + 1);
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractWriteDenied(address,address)",
          [doctor, patient],
        );
      });

      it("reverts when a doctor adds a record after deactivation", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await doctors.deactivateDoctor(doctor, { from: admin });
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractNotActiveDoctor(address)",
          [doctor],
        );
      });

      it("reverts when a doctor adds a record after the patient revoked all access", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await patients.revokeAllAccess(doctor, { from: patient });
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractWriteDenied(address,address)",
          [doctor, patient],
        );
      });

      it("reverts when the grant came from another patient", async function () {
        await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
        await patients.grantAllAccess(doctor, 0, { from: otherPatient });
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractWriteDenied(address,address)",
          [doctor, patient],
        );
      });
    });
  });

  describe("amendRecord", function () {
    let original;

    beforeEach(async function () {
      [original] = await addRecords(1);
    });

    it("adds the new version, marks the old one superseded and emits RecordAdded then RecordAmended", async function () {
      const digest = nextDigest();
      const newRecordId = recordIdOf(patient, 1);
      assert.strictEqual(
        (await patients.amendRecord.call(original, digest, CODEC_RAW, { from: patient })).toString(),
        newRecordId,
      );

      const result = await patients.amendRecord(original, digest, CODEC_RAW, { from: patient });
      expectEvents(result, [
        [
          "RecordAdded",
          {
            patient,
            author: patient,
            recordId: newRecordId,
            cidDigest: digest,
            codec: CODEC_RAW,
            time: await blockTimeOf(result),
          },
        ],
        ["RecordAmended", { patient, recordId: original, newRecordId }],
      ]);
      assert.strictEqual((await patients.getRecord(original)).supersededBy.toString(), newRecordId);
      assert.strictEqual((await patients.getRecord(newRecordId)).cidDigest, digest);
      assert.strictEqual((await patients.recordCount(patient)).toString(), "2");
    });

    it("keeps the superseded record readable, never edited", async function () {
      const before = await patients.getRecord(original);
      await patients.grantAccess(doctor, [original], 0, { from: patient });
      await patients.amendRecord(original, nextDigest(), CODEC_RAW, { from: patient });
      assert.strictEqual((await patients.getRecord(original)).cidDigest, before.cidDigest);
      assert.isTrue(await patients.canRead(doctor, original));
    });

    it("lets a doctor with an all-records grant amend a record", async function () {
      await patients.grantAllAccess(doctor, 0, { from: patient });
      const result = await patients.amendRecord(original, nextDigest(), CODEC_DAG_PB, { from: doctor });
      expectEvent(result, "RecordAmended", { patient, recordId: original, newRecordId: recordIdOf(patient, 1) });
      assert.strictEqual((await patients.getRecord(recordIdOf(patient, 1))).author, doctor);
    });

    it("reverts when the record does not exist", async function () {
      const missing = recordIdOf(patient, 5);
      await expectCustomError(
        patients.amendRecord(missing, nextDigest(), CODEC_RAW, { from: patient }),
        "PatientContractRecordNotFound(uint256)",
        [missing],
      );
    });

    it("reverts when the record was already amended", async function () {
      await patients.amendRecord(original, nextDigest(), CODEC_RAW, { from: patient });
      await expectCustomError(
        patients.amendRecord(original, nextDigest(), CODEC_RAW, { from: patient }),
        "PatientContractRecordAlreadyAmended(uint256,uint256)",
        [original, recordIdOf(patient, 1)],
      );
    });

    it("reverts when a stranger amends a record", async function () {
      await expectCustomError(
        patients.amendRecord(original, nextDigest(), CODEC_RAW, { from: stranger }),
        "PatientContractNotActiveDoctor(address)",
        [stranger],
      );
    });

    it("reverts when a doctor holding only a grant on that record amends it", async function () {
      await patients.grantAccess(doctor, [original], 0, { from: patient });
      await expectCustomError(
        patients.amendRecord(original, nextDigest(), CODEC_RAW, { from: doctor }),
        "PatientContractWriteDenied(address,address)",
        [doctor, patient],
      );
    });

    it("reverts when a doctor amends a record revoked from their all-records grant", async function () {
      await patients.grantAllAccess(doctor, 0, { from: patient });
      await patients.revokeAccess(doctor, [original], { from: patient });
      await expectCustomError(
        patients.amendRecord(original, nextDigest(), CODEC_RAW, { from: doctor }),
        "PatientContractAccessDenied(address,uint256)",
        [doctor, original],
      );
    });

    it("reverts when the new CID is invalid", async function () {
      await expectCustomError(
        patients.amendRecord(original, nextDigest(), 0, { from: patient }),
        "PatientContractUnsupportedCodec(uint64)",
        [0],
      );
      await expectCustomError(
        patients.amendRecord(original, ZERO_BYTES32, CODEC_RAW, { from: patient }),
        "PatientContractInvalidCidDigest()",
        [],
      );
    });
  });

  describe("getRecord and getRecords", function () {
    it("reverts getRecord for a record that does not exist", async function () {
      const missing = recordIdOf(patient, 0);
      await expectCustomError(patients.getRecord(missing), "PatientContractRecordNotFound(uint256)", [missing]);
    });

    it("returns full records, oldest first", async function () {
      await patients.addRecord(patient, bytes32Of("a"), CODEC_RAW, { from: patient });
      await patients.addRecord(patient, bytes32Of("b"), CODEC_DAG_PB, { from: patient });
      const records = await patients.getRecords(patient, 0, 10);
      assert.deepEqual(
        records.map((r) => [r.recordId.toString(), r.index.toString(), r.cidDigest, r.codec.toString(), r.author]),
        [
          [recordIdOf(patient, 0), "0", bytes32Of("a"), String(CODEC_RAW), patient],
          [recordIdOf(patient, 1), "1", bytes32Of("b"), String(CODEC_DAG_PB), patient],
        ],
      );
    });

    it("returns an empty page for an address that is not a patient", async function () {
      assert.deepEqual(await patients.getRecords(stranger, 0, 10), []);
    });

    shouldBehaveLikePagedList(() => ({
      error: "PatientContractPageOutOfRange(uint256,uint256)",
      fill: () => addRecords(3),
      page: (offset, limit) =>
        patients.getRecords(patient, offset, limit).then((records) => records.map((r) => r.recordId.toString())),
    }));
  });

  describe("grants", function () {
    let records;
    let expiresAt;

    beforeEach(async function () {
      records = await addRecords(3);
      expiresAt = (await latestTime()) + 30 * DAY;
    });

    /**
     * What the shared suites need, read inside each test after the beforeEach hooks have run, plus the calls under
     * test (`grant` for the record-grant suite, `setExpiry` for the all-records expiry suite).
     */
    const fixture = (calls) => () => ({
      patients,
      doctors,
      admin,
      patient,
      otherPatient,
      doctor,
      otherDoctor,
      stranger,
      records,
      addRecords,
      ...calls,
    });

    describe("grantAccess", function () {
      shouldBehaveLikeRecordGrant(
        fixture({
          grant: (grantee, recordId, until, options) => patients.grantAccess(grantee, [recordId], until, options),
        }),
      );

      it("grants several records with one event per record, in order", async function () {
        const result = await patients.grantAccess(doctor, [records[2], records[0]], 0, { from: patient });
        expectEvents(result, [
          ["AccessGranted", { patient, doctor, recordId: records[2], expiresAt: 0 }],
          ["AccessGranted", { patient, doctor, recordId: records[0], expiresAt: 0 }],
        ]);
        assert.isTrue(await patients.canRead(doctor, records[0]));
        assert.isFalse(await patients.canRead(doctor, records[1]));
        assert.isTrue(await patients.canRead(doctor, records[2]));
      });

      it("reverts when no record is given", async function () {
        await expectCustomError(
          patients.grantAccess(doctor, [], 0, { from: patient }),
          "PatientContractEmptyRecordList()",
          [],
        );
      });

      it("checks for an empty list before anything else", async function () {
        await expectCustomError(
          patients.grantAccess(ZERO_ADDRESS, [], 0, { from: stranger }),
          "PatientContractEmptyRecordList()",
          [],
        );
      });

      it("reverts as a whole when one record of the list is not theirs", async function () {
        await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
        const [theirs] = await addRecords(1, otherPatient);
        await expectCustomError(
          patients.grantAccess(doctor, [records[0], theirs], 0, { from: patient }),
          "PatientContractNotRecordOwner(address,uint256)",
          [patient, theirs],
        );
        assert.isFalse(await patients.canRead(doctor, records[0]), "the whole grant is reverted");
      });

      it("reverts as a whole when one record of the list does not exist yet", async function () {
        const future = recordIdOf(patient, 3);
        await expectCustomError(
          patients.grantAccess(doctor, [records[1], future], 0, { from: patient }),
          "PatientContractRecordNotFound(uint256)",
          [future],
        );
        assert.isFalse(await patients.canRead(doctor, records[1]), "the whole grant is reverted");
      });
    });

    describe("grantRecordAccess", function () {
      shouldBehaveLikeRecordGrant(
        fixture({
          grant: (grantee, recordId, until, options) => patients.grantRecordAccess(grantee, recordId, until, options),
        }),
      );

      it("writes the same grant as grantAccess with a one-element list", async function () {
        await patients.grantRecordAccess(doctor, records[0], expiresAt, { from: patient });
        await patients.grantAccess(otherDoctor, [records[0]], expiresAt, { from: patient });
        const [single] = await patients.getGrants(patient, doctor, 0, 1);
        const [listed] = await patients.getGrants(patient, otherDoctor, 0, 1);
        for (const key of ["recordId", "granted", "allRecords", "expiresAt", "readable"]) {
          assert.strictEqual(single[key].toString(), listed[key].toString(), key);
        }
      });

      it("is revoked by revokeAccess like any per-record grant", async function () {
        await patients.grantRecordAccess(doctor, records[1], 0, { from: patient });
        const result = await patients.revokeAccess(doctor, [records[1]], { from: patient });
        expectEvents(result, [["AccessRevoked", { patient, doctor, recordId: records[1] }]]);
        assert.isFalse(await patients.canRead(doctor, records[1]));
      });

      it("lets the doctor log access to the record", async function () {
        await patients.grantRecordAccess(doctor, records[2], 0, { from: patient });
        const result = await patients.logAccess(records[2], { from: doctor });
        expectEvent(result, "RecordAccessed", {
          patient,
          doctor,
          recordId: records[2],
          time: await blockTimeOf(result),
        });
      });
    });

    describe("grantAllAccess", function () {
      shouldBehaveLikeAllAccessExpiry(
        fixture({ setExpiry: (grantee, until, options) => patients.grantAllAccess(grantee, until, options) }),
      );

      it("grants all records, including future ones, and emits AllAccessGranted", async function () {
        const result = await patients.grantAllAccess(doctor, expiresAt, { from: patient });
        expectEvents(result, [["AllAccessGranted", { patient, doctor, expiresAt }]]);

        const [later] = await addRecords(1);
        for (const recordId of [...records, later]) assert.isTrue(await patients.canRead(doctor, recordId));
        const all = await patients.getAllAccess(patient, doctor);
        assert.isTrue(all.granted);
        assert.strictEqual(all.expiresAt.toString(), String(expiresAt));
      });

      it("replaces an earlier all-records grant, expiry and revoked records included", async function () {
        await patients.grantAllAccess(doctor, (await latestTime()) + 1000, { from: patient });
        await patients.revokeAccess(doctor, [records[1]], { from: patient });
        assert.isFalse(await patients.canRead(doctor, records[1]));

        await patients.grantAllAccess(doctor, 0, { from: patient });
        await increaseTime(2000);
        assert.isTrue(await patients.canRead(doctor, records[0]));
        assert.isTrue(await patients.canRead(doctor, records[1]), "all records are covered again");
      });

      it("covers every record again after updateAllAccessExpiry kept an exclusion", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await patients.revokeAccess(doctor, [records[1]], { from: patient });
        await patients.updateAllAccessExpiry(doctor, expiresAt, { from: patient });
        assert.isFalse(await patients.canRead(doctor, records[1]));

        await patients.grantAllAccess(doctor, expiresAt, { from: patient });
        assert.isTrue(await patients.canRead(doctor, records[1]), "a fresh all-records grant lifts every exclusion");
      });
    });

    describe("updateAllAccessExpiry", function () {
      beforeEach(async function () {
        await patients.grantAllAccess(doctor, expiresAt, { from: patient });
      });

      shouldBehaveLikeAllAccessExpiry(
        fixture({ setExpiry: (grantee, until, options) => patients.updateAllAccessExpiry(grantee, until, options) }),
      );

      it("changes the expiry and emits only AllAccessExpiryUpdated", async function () {
        const later = expiresAt + 60 * DAY;
        const result = await patients.updateAllAccessExpiry(doctor, later, { from: patient });
        expectEvents(result, [["AllAccessExpiryUpdated", { patient, doctor, expiresAt: later }]]);
        const all = await patients.getAllAccess(patient, doctor);
        assert.isTrue(all.granted);
        assert.strictEqual(all.expiresAt.toString(), String(later));
      });

      it("keeps the records excluded from the all-records grant excluded", async function () {
        // Review scenario: changing the expiry of a live all-records grant must not re-expose excluded records.
        await patients.revokeAccess(doctor, [records[1]], { from: patient });
        await patients.updateAllAccessExpiry(doctor, 0, { from: patient });

        const [later] = await addRecords(1);
        assert.isTrue(await patients.canRead(doctor, records[0]));
        assert.isFalse(await patients.canRead(doctor, records[1]), "still excluded");
        assert.isTrue(await patients.canRead(doctor, records[2]));
        assert.isTrue(await patients.canRead(doctor, later));
        const grants = await patients.getGrants(patient, doctor, 0, 10);
        const view = grants.map((g) => [g.recordId.toString(), g.granted, g.allRecords, g.expiresAt.toString(), g.readable]);
        assert.deepEqual(view, [
          [records[0], true, true, "0", true],
          [records[1], false, false, "0", false],
          [records[2], true, true, "0", true],
          [later, true, true, "0", true],
        ]);
        await expectCustomError(
          patients.logAccess(records[1], { from: doctor }),
          "PatientContractAccessDenied(address,uint256)",
          [doctor, records[1]],
        );
        await expectCustomError(
          patients.amendRecord(records[1], nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractAccessDenied(address,uint256)",
          [doctor, records[1]],
        );
        await expectCustomError(
          patients.revokeAccess(doctor, [records[1]], { from: patient }),
          "PatientContractGrantNotFound(address,uint256)",
          [doctor, records[1]],
        );
      });

      it("renews an expired all-records grant, its exclusions kept", async function () {
        const soon = (await latestTime()) + 100;
        await patients.updateAllAccessExpiry(doctor, soon, { from: patient });
        await patients.revokeAccess(doctor, [records[1]], { from: patient });
        await increaseTime(101);
        assert.isFalse(await patients.canRead(doctor, records[0]));

        await patients.updateAllAccessExpiry(doctor, (await latestTime()) + 30 * DAY, { from: patient });
        assert.isTrue(await patients.canRead(doctor, records[0]));
        assert.isFalse(await patients.canRead(doctor, records[1]));
        await patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor });
      });

      it("shortens the grant: the doctor loses read and write access at the new expiry", async function () {
        const soon = (await latestTime()) + 100;
        await patients.updateAllAccessExpiry(doctor, soon, { from: patient });
        await increaseTime(101);
        assert.isFalse(await patients.canRead(doctor, records[0]));
        await expectCustomError(
          patients.addRecord(patient, nextDigest(), CODEC_RAW, { from: doctor }),
          "PatientContractWriteDenied(address,address)",
          [doctor, patient],
        );
      });

      it("lengthens the grant: the doctor keeps read and write access past the old expiry", async function () {
        await patients.updateAllAccessExpiry(doctor, expiresAt + 30 * DAY, { from: patient });
        await increaseTime(31 * DAY);
        assert.isTrue(await patients.canRead(doctor, records[0]));
        const cidDigest = nextDigest();
        const result = await patients.addRecord(patient, cidDigest, CODEC_RAW, { from: doctor });
        expectEvent(result, "RecordAdded", {
          patient,
          author: doctor,
          recordId: recordIdOf(patient, 3),
          cidDigest,
          codec: CODEC_RAW,
          time: await blockTimeOf(result),
        });
      });

      it("leaves per-record grants and their own expiry alone", async function () {
        await patients.revokeAccess(doctor, [records[1]], { from: patient });
        const oneDay = (await latestTime()) + DAY;
        await patients.grantRecordAccess(doctor, records[1], oneDay, { from: patient });
        await patients.updateAllAccessExpiry(doctor, 0, { from: patient });
        assert.isTrue(await patients.canRead(doctor, records[1]), "the per-record grant still holds");

        await increaseTime(DAY + 1);
        assert.isFalse(await patients.canRead(doctor, records[1]), "the exclusion outlives the per-record grant");
        assert.isTrue(await patients.canRead(doctor, records[0]));
      });

      it("reverts when the doctor holds no all-records grant", async function () {
        await expectCustomError(
          patients.updateAllAccessExpiry(otherDoctor, 0, { from: patient }),
          "PatientContractAllAccessNotFound(address)",
          [otherDoctor],
        );
      });

      it("reverts when the doctor holds only per-record grants", async function () {
        await patients.grantAccess(otherDoctor, records, 0, { from: patient });
        await expectCustomError(
          patients.updateAllAccessExpiry(otherDoctor, 0, { from: patient }),
          "PatientContractAllAccessNotFound(address)",
          [otherDoctor],
        );
      });

      it("reverts after revokeAllAccess ended the all-records grant", async function () {
        await patients.revokeAllAccess(doctor, { from: patient });
        await expectCustomError(
          patients.updateAllAccessExpiry(doctor, 0, { from: patient }),
          "PatientContractAllAccessNotFound(address)",
          [doctor],
        );
        assert.isFalse(await patients.canRead(doctor, records[0]), "nothing was renewed");
      });

      it("reverts when the all-records grant came from another patient", async function () {
        await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
        await patients.grantAllAccess(otherDoctor, 0, { from: otherPatient });
        await expectCustomError(
          patients.updateAllAccessExpiry(otherDoctor, 0, { from: patient }),
          "PatientContractAllAccessNotFound(address)",
          [otherDoctor],
        );
      });

      it("checks that the doctor is active before looking for the grant", async function () {
        await doctors.deactivateDoctor(otherDoctor, { from: admin });
        await expectCustomError(
          patients.updateAllAccessExpiry(otherDoctor, 0, { from: patient }),
          "PatientContractNotActiveDoctor(address)",
          [otherDoctor],
        );
      });
    });

    describe("revokeAccess", function () {
      it("revokes a per-record grant and emits AccessRevoked", async function () {
        await patients.grantAccess(doctor, records, 0, { from: patient });
        const result = await patients.revokeAccess(doctor, [records[1]], { from: patient });
        expectEvents(result, [["AccessRevoked", { patient, doctor, recordId: records[1] }]]);
        assert.isTrue(await patients.canRead(doctor, records[0]));
        assert.isFalse(await patients.canRead(doctor, records[1]));
        assert.isTrue(await patients.canRead(doctor, records[2]));
      });

      it("revokes several records at once", async function () {
        await patients.grantAccess(doctor, records, 0, { from: patient });
        const result = await patients.revokeAccess(doctor, [records[0], records[2]], { from: patient });
        expectEvents(result, [
          ["AccessRevoked", { patient, doctor, recordId: records[0] }],
          ["AccessRevoked", { patient, doctor, recordId: records[2] }],
        ]);
        assert.isFalse(await patients.canRead(doctor, records[0]));
        assert.isTrue(await patients.canRead(doctor, records[1]));
        assert.isFalse(await patients.canRead(doctor, records[2]));
      });

      it("revokes one record from an all-records grant and keeps the others, future ones included", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await patients.revokeAccess(doctor, [records[1]], { from: patient });
        const [later] = await addRecords(1);
        assert.isTrue(await patients.canRead(doctor, records[0]));
        assert.isFalse(await patients.canRead(doctor, records[1]));
        assert.isTrue(await patients.canRead(doctor, later));
      });

      it("revokes a record covered by both a per-record and the all-records grant", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await patients.revokeAccess(doctor, [records[0]], { from: patient });
        assert.isFalse(await patients.canRead(doctor, records[0]));
        assert.isTrue(await patients.canRead(doctor, records[1]));
      });

      it("lets the patient grant a revoked record again", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await patients.revokeAccess(doctor, [records[0]], { from: patient });
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        assert.isTrue(await patients.canRead(doctor, records[0]));
      });

      describe("then a per-record grant on the excluded record (review scenario)", function () {
        let oneDay;

        beforeEach(async function () {
          // grantAllAccess(D, 0), revokeAccess(D, [R]), grantRecordAccess(D, R, now + 1 day)
          await patients.grantAllAccess(doctor, 0, { from: patient });
          await patients.revokeAccess(doctor, [records[1]], { from: patient });
          oneDay = (await latestTime()) + DAY;
          await patients.grantRecordAccess(doctor, records[1], oneDay, { from: patient });
        });

        it("lets the doctor read, log access to and amend the record while the per-record grant lasts", async function () {
          assert.isTrue(await patients.canRead(doctor, records[1]));
          const result = await patients.logAccess(records[1], { from: doctor });
          expectEvents(result, [
            ["RecordAccessed", { patient, doctor, recordId: records[1], time: await blockTimeOf(result) }],
          ]);
          await patients.amendRecord(records[1], nextDigest(), CODEC_RAW, { from: doctor });
        });

        it("excludes the record again once the per-record grant expired, in every check", async function () {
          await increaseTime(DAY + 1);
          assert.isFalse(await patients.canRead(doctor, records[1]));
          const grants = await patients.getGrants(patient, doctor, 0, 10);
          const view = grants.map((g) => [g.recordId.toString(), g.granted, g.allRecords, g.expiresAt.toString(), g.readable]);
          assert.deepEqual(view, [
            [records[0], true, true, "0", true],
            [records[1], true, false, String(oneDay), false],
            [records[2], true, true, "0", true],
          ]);
          await expectCustomError(
            patients.logAccess(records[1], { from: doctor }),
            "PatientContractAccessDenied(address,uint256)",
            [doctor, records[1]],
          );
          await expectCustomError(
            patients.amendRecord(records[1], nextDigest(), CODEC_RAW, { from: doctor }),
            "PatientContractAccessDenied(address,uint256)",
            [doctor, records[1]],
          );
          await patients.logAccess(records[0], { from: doctor }); // the rest of the all-records grant still works
        });

        it("lets the patient revoke the expired per-record grant, the exclusion kept", async function () {
          await increaseTime(DAY + 1);
          const result = await patients.revokeAccess(doctor, [records[1]], { from: patient });
          expectEvents(result, [["AccessRevoked", { patient, doctor, recordId: records[1] }]]);
          const [, grant] = await patients.getGrants(patient, doctor, 0, 2);
          assert.deepEqual([grant.granted, grant.allRecords, grant.readable], [false, false, false]);
        });

        it("ends with revokeAllAccess, and a fresh grantAllAccess covers the record again", async function () {
          await patients.revokeAllAccess(doctor, { from: patient });
          assert.isFalse(await patients.canRead(doctor, records[1]));
          await patients.grantAllAccess(doctor, 0, { from: patient });
          await increaseTime(DAY + 1);
          assert.isTrue(await patients.canRead(doctor, records[1]));
        });
      });

      it("allows revoking an expired grant", async function () {
        await patients.grantAccess(doctor, [records[0]], (await latestTime()) + 100, { from: patient });
        await increaseTime(200);
        const result = await patients.revokeAccess(doctor, [records[0]], { from: patient });
        expectEvent(result, "AccessRevoked", { patient, doctor, recordId: records[0] });
      });

      it("reverts when revoking what was never granted", async function () {
        await expectCustomError(
          patients.revokeAccess(doctor, [records[0]], { from: patient }),
          "PatientContractGrantNotFound(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts when revoking a grant given to another doctor", async function () {
        await patients.grantAccess(otherDoctor, [records[0]], 0, { from: patient });
        await expectCustomError(
          patients.revokeAccess(doctor, [records[0]], { from: patient }),
          "PatientContractGrantNotFound(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts when revoking a grant twice", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.revokeAccess(doctor, [records[0]], { from: patient });
        await expectCustomError(
          patients.revokeAccess(doctor, [records[0]], { from: patient }),
          "PatientContractGrantNotFound(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts when a record is listed twice", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await expectCustomError(
          patients.revokeAccess(doctor, [records[0], records[0]], { from: patient }),
          "PatientContractGrantNotFound(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts when revoking a record removed by revokeAllAccess", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.revokeAllAccess(doctor, { from: patient });
        await expectCustomError(
          patients.revokeAccess(doctor, [records[0]], { from: patient }),
          "PatientContractGrantNotFound(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts when the record is not theirs", async function () {
        await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
        const [theirs] = await addRecords(1, otherPatient);
        await patients.grantAccess(doctor, [theirs], 0, { from: otherPatient });
        await expectCustomError(
          patients.revokeAccess(doctor, [theirs], { from: patient }),
          "PatientContractNotRecordOwner(address,uint256)",
          [patient, theirs],
        );
        assert.isTrue(await patients.canRead(doctor, theirs));
      });

      it("reverts when the record does not exist", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        const future = recordIdOf(patient, 3);
        await expectCustomError(
          patients.revokeAccess(doctor, [future], { from: patient }),
          "PatientContractRecordNotFound(uint256)",
          [future],
        );
      });

      it("reverts when the caller is not a patient", async function () {
        await expectCustomError(
          patients.revokeAccess(doctor, [records[0]], { from: stranger }),
          "PatientContractNotRegistered(address)",
          [stranger],
        );
      });

      it("reverts when no record is given", async function () {
        await expectCustomError(
          patients.revokeAccess(doctor, [], { from: patient }),
          "PatientContractEmptyRecordList()",
          [],
        );
      });
    });

    describe("revokeAllAccess", function () {
      it("ends every per-record and all-records grant of the doctor and emits AllAccessRevoked", async function () {
        await patients.grantAccess(doctor, [records[0], records[1]], 0, { from: patient });
        await patients.grantAllAccess(doctor, 0, { from: patient });
        const result = await patients.revokeAllAccess(doctor, { from: patient });
        expectEvents(result, [["AllAccessRevoked", { patient, doctor }]]);
        for (const recordId of records) assert.isFalse(await patients.canRead(doctor, recordId));
        const all = await patients.getAllAccess(patient, doctor);
        assert.isFalse(all.granted);
      });

      it("never lets the doctor read records added after the revocation", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        await patients.revokeAllAccess(doctor, { from: patient });
        const [later] = await addRecords(1);
        assert.isFalse(await patients.canRead(doctor, later));
      });

      it("keeps the grants of other doctors", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.grantAccess(otherDoctor, [records[0]], 0, { from: patient });
        await patients.grantAllAccess(otherDoctor, 0, { from: patient });
        await patients.revokeAllAccess(doctor, { from: patient });
        assert.isFalse(await patients.canRead(doctor, records[0]));
        assert.isTrue(await patients.canRead(otherDoctor, records[0]));
        assert.isTrue(await patients.canRead(otherDoctor, records[2]));
      });

      it("lets the patient grant the doctor again afterwards", async function () {
        await patients.grantAccess(doctor, [records[0], records[1]], 0, { from: patient });
        await patients.revokeAllAccess(doctor, { from: patient });
        await patients.grantAccess(doctor, [records[1]], 0, { from: patient });
        assert.isFalse(await patients.canRead(doctor, records[0]));
        assert.isTrue(await patients.canRead(doctor, records[1]));
        await patients.grantAllAccess(doctor, 0, { from: patient });
        assert.isTrue(await patients.canRead(doctor, records[0]));
      });

      it("is idempotent when the doctor holds nothing", async function () {
        const result = await patients.revokeAllAccess(doctor, { from: patient });
        expectEvents(result, [["AllAccessRevoked", { patient, doctor }]]);
      });

      it("reverts when the doctor is the zero address", async function () {
        await expectCustomError(
          patients.revokeAllAccess(ZERO_ADDRESS, { from: patient }),
          "PatientContractZeroAddress()",
          [],
        );
      });

      it("reverts when the caller is not a patient", async function () {
        await expectCustomError(
          patients.revokeAllAccess(doctor, { from: stranger }),
          "PatientContractNotRegistered(address)",
          [stranger],
        );
      });
    });

    describe("canRead", function () {
      it("is true for the patient on their own records only", async function () {
        assert.isTrue(await patients.canRead(patient, records[0]));
        await patients.registerPatient(PATIENT_KEY, { from: otherPatient });
        assert.isFalse(await patients.canRead(otherPatient, records[0]));
      });

      it("is false for a record that does not exist", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        assert.isFalse(await patients.canRead(patient, recordIdOf(patient, 3)));
        assert.isFalse(await patients.canRead(doctor, recordIdOf(patient, 3)));
        assert.isFalse(await patients.canRead(doctor, recordIdOf(stranger, 0)));
      });

      it("is false for a stranger and for a doctor without a grant", async function () {
        assert.isFalse(await patients.canRead(stranger, records[0]));
        assert.isFalse(await patients.canRead(doctor, records[0]));
      });

      it("turns false the moment the doctor is deactivated, and true again on reactivation", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.grantAllAccess(otherDoctor, 0, { from: patient });
        await doctors.deactivateDoctor(doctor, { from: admin });
        await doctors.deactivateDoctor(otherDoctor, { from: admin });
        assert.isFalse(await patients.canRead(doctor, records[0]));
        assert.isFalse(await patients.canRead(otherDoctor, records[0]));
        await doctors.reactivateDoctor(doctor, { from: admin });
        assert.isTrue(await patients.canRead(doctor, records[0]));
      });

      it("matches what getGrants reports as readable", async function () {
        await patients.grantAccess(doctor, [records[0]], (await latestTime()) + 100, { from: patient });
        await patients.grantAccess(doctor, [records[1]], 0, { from: patient });
        await increaseTime(200);
        const grants = await patients.getGrants(patient, doctor, 0, 10);
        for (const grant of grants) {
          assert.strictEqual(grant.readable, await patients.canRead(doctor, grant.recordId));
        }
      });
    });

    describe("logAccess", function () {
      it("emits RecordAccessed with the block time for a doctor with a grant", async function () {
        await patients.grantAccess(doctor, [records[0]], expiresAt, { from: patient });
        const result = await patients.logAccess(records[0], { from: doctor });
        expectEvents(result, [
          ["RecordAccessed", { patient, doctor, recordId: records[0], time: await blockTimeOf(result) }],
        ]);
      });

      it("works under an all-records grant", async function () {
        await patients.grantAllAccess(doctor, 0, { from: patient });
        const result = await patients.logAccess(records[2], { from: doctor });
        expectEvent(result, "RecordAccessed", {
          patient,
          doctor,
          recordId: records[2],
          time: await blockTimeOf(result),
        });
      });

      it("works for a per-record grant made before another doctor's revocation", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.revokeAllAccess(otherDoctor, { from: patient });
        const result = await patients.logAccess(records[0], { from: doctor });
        expectEvent(result, "RecordAccessed", {
          patient,
          doctor,
          recordId: records[0],
          time: await blockTimeOf(result),
        });
      });

      it("lets the patient log their own access", async function () {
        const result = await patients.logAccess(records[0], { from: patient });
        expectEvent(result, "RecordAccessed", {
          patient,
          doctor: patient,
          recordId: records[0],
          time: await blockTimeOf(result),
        });
      });

      it("reverts when the record does not exist", async function () {
        const missing = recordIdOf(patient, 3);
        await expectCustomError(
          patients.logAccess(missing, { from: doctor }),
          "PatientContractRecordNotFound(uint256)",
          [missing],
        );
      });

      it("reverts when a doctor without a grant opens a record", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await expectCustomError(
          patients.logAccess(records[1], { from: doctor }),
          "PatientContractAccessDenied(address,uint256)",
          [doctor, records[1]],
        );
      });

      it("reverts after the grant expired", async function () {
        await patients.grantAccess(doctor, [records[0]], (await latestTime()) + 100, { from: patient });
        await increaseTime(101);
        await expectCustomError(
          patients.logAccess(records[0], { from: doctor }),
          "PatientContractAccessDenied(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts after the grant was revoked", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.revokeAccess(doctor, [records[0]], { from: patient });
        await expectCustomError(
          patients.logAccess(records[0], { from: doctor }),
          "PatientContractAccessDenied(address,uint256)",
          [doctor, records[0]],
        );
      });

      it("reverts after the doctor was deactivated", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await doctors.deactivateDoctor(doctor, { from: admin });
        await expectCustomError(
          patients.logAccess(records[0], { from: doctor }),
          "PatientContractNotActiveDoctor(address)",
          [doctor],
        );
      });

      it("reverts when a stranger opens a record", async function () {
        await expectCustomError(
          patients.logAccess(records[0], { from: stranger }),
          "PatientContractNotActiveDoctor(address)",
          [stranger],
        );
      });

      it("emits nothing else", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        const result = await patients.logAccess(records[0], { from: doctor });
        expectNoEvent(result, "AccessGranted");
        assert.strictEqual(result.logs.length, 1);
      });
    });

    describe("getGrants and getAllAccess", function () {
      it("reports per record whether it is granted, how, until when, and whether it is readable", async function () {
        const soon = (await latestTime()) + 100;
        await patients.grantAccess(doctor, [records[0]], soon, { from: patient });
        await patients.grantAllAccess(doctor, expiresAt, { from: patient });
        await patients.revokeAccess(doctor, [records[2]], { from: patient });

        const grants = await patients.getGrants(patient, doctor, 0, 10);
        const view = grants.map((g) => [g.recordId.toString(), g.granted, g.allRecords, g.expiresAt.toString(), g.readable]);
        assert.deepEqual(view, [
          [records[0], true, true, String(expiresAt), true],
          [records[1], true, true, String(expiresAt), true],
          [records[2], false, false, "0", false],
        ]);
      });

      it("reports an expired grant as granted but not readable", async function () {
        const soon = (await latestTime()) + 100;
        await patients.grantAccess(doctor, [records[0]], soon, { from: patient });
        await increaseTime(101);
        const [grant] = await patients.getGrants(patient, doctor, 0, 1);
        assert.isTrue(grant.granted);
        assert.isFalse(grant.allRecords);
        assert.strictEqual(grant.expiresAt.toString(), String(soon));
        assert.isFalse(grant.readable);
      });

      it("reports no expiry when either covering grant has none", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await patients.grantAllAccess(doctor, expiresAt, { from: patient });
        const [grant] = await patients.getGrants(patient, doctor, 0, 1);
        assert.strictEqual(grant.expiresAt.toString(), "0");
      });

      it("reports grants of a deactivated doctor as granted but not readable", async function () {
        await patients.grantAccess(doctor, [records[0]], 0, { from: patient });
        await doctors.deactivateDoctor(doctor, { from: admin });
        const [grant] = await patients.getGrants(patient, doctor, 0, 1);
        assert.isTrue(grant.granted);
        assert.isFalse(grant.readable);
      });

      it("reports nothing after revokeAllAccess", async function () {
        await patients.grantAccess(doctor, records, 0, { from: patient });
        await patients.revokeAllAccess(doctor, { from: patient });
        const grants = await patients.getGrants(patient, doctor, 0, 10);
        assert.isTrue(grants.every((g) => !g.granted && !g.readable));
      });

      it("reports no all-records grant by default", async function () {
        const all = await patients.getAllAccess(patient, doctor);
        assert.isFalse(all.granted);
        assert.strictEqual(all.expiresAt.toString(), "0");
      });

      it("returns an empty page for an address that is not a patient", async function () {
        assert.deepEqual(await patients.getGrants(stranger, doctor, 0, 10), []);
      });
    });
  });

  describe("getGrants paging", function () {
    shouldBehaveLikePagedList(() => ({
      error: "PatientContractPageOutOfRange(uint256,uint256)",
      fill: () => addRecords(3),
      page: (offset, limit) =>
        patients.getGrants(patient, doctor, offset, limit).then((grants) => grants.map((g) => g.recordId.toString())),
    }));
  });
});
