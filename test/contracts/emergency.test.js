"use strict";

// Emergency access (break-glass): DoctorContract's administrator keys, settings, patient opt-in, requests,
// approvals and refusals, and PatientContract.canRead / logAccess honouring an open window when no grant is live.
const DoctorContract = artifacts.require("DoctorContract");
const PatientContract = artifacts.require("PatientContract");

const { expectCustomError } = require("./helpers/errors");
const { expectEvent, expectEvents } = require("./helpers/events");
const {
  CODEC_RAW,
  ZERO_BYTES32,
  blockTimeOf,
  increaseTime,
  recordIdOf,
  bytes32Of,
} = require("./helpers/chain");

const HOUR = 3600;
const DAY = 24 * HOUR;
const PENDING = "0";
const APPROVED = "1";
const REFUSED = "2";

contract("DoctorContract: emergency access", function (accounts) {
  const [admin, admin2, admin3, doctor, doctor2, patient, otherPatient, stranger, adminDoctor] = accounts;

  const LICENCE = bytes32Of("licence:MED-EMERGENCY");
  const ADMIN_KEYS = { [admin]: bytes32Of("x25519:admin1"), [admin2]: bytes32Of("x25519:admin2"), [admin3]: bytes32Of("x25519:admin3") };
  const EMERGENCY_KEY = bytes32Of("x25519:emergency:v1");
  const RENEWED_KEY = bytes32Of("x25519:emergency:v2");
  const NOTE_HASH = bytes32Of("sealed note");
  const REASON = 2;

  let doctors;

  /** Three administrators with keys, two active doctors, an administrator who is also a doctor. */
  async function deployWithAdmins() {
    doctors = await DoctorContract.new({ from: admin });
    await doctors.addAdmin(admin2, { from: admin });
    await doctors.addAdmin(admin3, { from: admin });
    for (const account of [admin, admin2, admin3]) {
      await doctors.setAdminEncryptionKey(ADMIN_KEYS[account], { from: account });
    }
    await doctors.registerDoctor(doctor, "Dr. Emma Hart", "Emergency medicine", LICENCE, { from: admin });
    await doctors.registerDoctor(doctor2, "Dr. Felix Stone", "Intensive care", LICENCE, { from: admin });
  }

  /** The patient opts in with the default threshold and `doctor` asks; returns the request id and result. */
  async function optInAndRequest(from = doctor) {
    await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
    const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from });
    return { requestId: result.logs[0].args.requestId.toString(), result };
  }

  describe("deployment", function () {
    beforeEach(async function () {
      doctors = await DoctorContract.new({ from: admin });
    });

    it("starts with a threshold of 2, a window of 24 hours, no administrator key and no request", async function () {
      assert.strictEqual((await doctors.emergencyThreshold()).toString(), "2");
      assert.strictEqual((await doctors.emergencyWindow()).toString(), String(DAY));
      assert.strictEqual((await doctors.DEFAULT_EMERGENCY_WINDOW()).toString(), String(DAY));
      assert.strictEqual((await doctors.adminsWithKeyCount()).toString(), "0");
      assert.strictEqual((await doctors.emergencyRequestCount()).toString(), "0");
    });

    it("lists the deployer as the only administrator", async function () {
      assert.deepEqual(await doctors.getAdmins(), [admin]);
    });
  });

  describe("administrators' encryption keys", function () {
    beforeEach(async function () {
      doctors = await DoctorContract.new({ from: admin });
      await doctors.addAdmin(admin2, { from: admin });
    });

    it("stores an administrator's key, counts it and emits AdminEncryptionKeySet", async function () {
      const result = await doctors.setAdminEncryptionKey(ADMIN_KEYS[admin2], { from: admin2 });
      expectEvents(result, [["AdminEncryptionKeySet", { admin: admin2, key: ADMIN_KEYS[admin2] }]]);
      assert.strictEqual(await doctors.adminEncryptionKeyOf(admin2), ADMIN_KEYS[admin2]);
      assert.strictEqual((await doctors.adminsWithKeyCount()).toString(), "1");
    });

    it("rotates a key without counting the administrator twice", async function () {
      await doctors.setAdminEncryptionKey(ADMIN_KEYS[admin2], { from: admin2 });
      const rotated = bytes32Of("x25519:admin2:rotated");
      const result = await doctors.setAdminEncryptionKey(rotated, { from: admin2 });
      expectEvents(result, [["AdminEncryptionKeySet", { admin: admin2, key: rotated }]]);
      assert.strictEqual(await doctors.adminEncryptionKeyOf(admin2), rotated);
      assert.strictEqual((await doctors.adminsWithKeyCount()).toString(), "1");
    });

    it("answers zero for an account without a key", async function () {
      assert.strictEqual(await doctors.adminEncryptionKeyOf(stranger), ZERO_BYTES32);
    });

    it("reverts when a stranger publishes an administrator key", async function () {
      await expectCustomError(
        doctors.setAdminEncryptionKey(ADMIN_KEYS[admin], { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("reverts when the key is zero", async function () {
      await expectCustomError(
        doctors.setAdminEncryptionKey(ZERO_BYTES32, { from: admin2 }),
        "DoctorContractInvalidEncryptionKey()",
        [],
      );
    });
  });

  describe("getAdmins and removeAdmin", function () {
    beforeEach(deployWithAdmins);

    it("lists every administrator", async function () {
      assert.sameMembers(await doctors.getAdmins(), [admin, admin2, admin3]);
    });

    it("moves the last administrator into the place of a removed one", async function () {
      await doctors.removeAdmin(admin, { from: admin2 });
      assert.deepEqual(await doctors.getAdmins(), [admin3, admin2]);
      await doctors.removeAdmin(admin2, { from: admin3 });
      assert.deepEqual(await doctors.getAdmins(), [admin3]);
      assert.strictEqual((await doctors.adminCount()).toString(), "1");
    });

    it("forgets the key of a removed administrator and counts one key fewer", async function () {
      const result = await doctors.removeAdmin(admin3, { from: admin });
      expectEvents(result, [["AdminRemoved", { account: admin3, admin }]]);
      assert.strictEqual(await doctors.adminEncryptionKeyOf(admin3), ZERO_BYTES32);
      assert.strictEqual((await doctors.adminsWithKeyCount()).toString(), "2");
    });

    it("asks a re-added administrator for a new key", async function () {
      await doctors.removeAdmin(admin3, { from: admin });
      await doctors.addAdmin(admin3, { from: admin });
      assert.strictEqual(await doctors.adminEncryptionKeyOf(admin3), ZERO_BYTES32);
      assert.strictEqual((await doctors.adminsWithKeyCount()).toString(), "2");
    });

    it("leaves the count alone when the removed administrator had no key", async function () {
      await doctors.addAdmin(stranger, { from: admin });
      await doctors.removeAdmin(stranger, { from: admin });
      assert.strictEqual((await doctors.adminsWithKeyCount()).toString(), "3");
    });

    it("takes the removed administrator's right to approve", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.removeAdmin(admin3, { from: admin });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin3 }),
        "DoctorContractUnauthorized(address)",
        [admin3],
      );
    });
  });

  describe("setEmergencyThreshold", function () {
    beforeEach(deployWithAdmins);

    it("sets the threshold and emits EmergencyThresholdSet", async function () {
      const result = await doctors.setEmergencyThreshold(3, { from: admin2 });
      expectEvents(result, [["EmergencyThresholdSet", { threshold: 3, admin: admin2 }]]);
      assert.strictEqual((await doctors.emergencyThreshold()).toString(), "3");
    });

    it("reverts when the threshold is 1: one administrator's share would be the whole emergency key", async function () {
      await expectCustomError(
        doctors.setEmergencyThreshold(1, { from: admin }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [1, 3],
      );
    });

    it("reverts when the threshold is 0", async function () {
      await expectCustomError(
        doctors.setEmergencyThreshold(0, { from: admin }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [0, 3],
      );
    });

    it("reverts when the threshold is above the number of administrators with a key", async function () {
      await expectCustomError(
        doctors.setEmergencyThreshold(4, { from: admin }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [4, 3],
      );
      await doctors.addAdmin(stranger, { from: admin }); // an administrator without a key does not count
      await expectCustomError(
        doctors.setEmergencyThreshold(4, { from: admin }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [4, 3],
      );
    });

    it("reverts when a stranger sets the threshold", async function () {
      await expectCustomError(
        doctors.setEmergencyThreshold(1, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("keeps the threshold of requests already made", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.setEmergencyThreshold(3, { from: admin });
      assert.strictEqual((await doctors.getEmergencyRequest(requestId)).threshold.toString(), "2");
    });
  });

  describe("setEmergencyWindow", function () {
    beforeEach(deployWithAdmins);

    it("sets the window and emits EmergencyWindowSet", async function () {
      const result = await doctors.setEmergencyWindow(12 * HOUR, { from: admin3 });
      expectEvents(result, [["EmergencyWindowSet", { window: 12 * HOUR, admin: admin3 }]]);
      assert.strictEqual((await doctors.emergencyWindow()).toString(), String(12 * HOUR));
    });

    it("accepts the bounds, 1 hour and 72 hours", async function () {
      await doctors.setEmergencyWindow(HOUR, { from: admin });
      assert.strictEqual((await doctors.emergencyWindow()).toString(), String(HOUR));
      await doctors.setEmergencyWindow(72 * HOUR, { from: admin });
      assert.strictEqual((await doctors.emergencyWindow()).toString(), String(72 * HOUR));
    });

    it("reverts below 1 hour", async function () {
      await expectCustomError(
        doctors.setEmergencyWindow(HOUR - 1, { from: admin }),
        "DoctorContractInvalidWindow(uint64)",
        [HOUR - 1],
      );
    });

    it("reverts above 72 hours", async function () {
      await expectCustomError(
        doctors.setEmergencyWindow(72 * HOUR + 1, { from: admin }),
        "DoctorContractInvalidWindow(uint64)",
        [72 * HOUR + 1],
      );
    });

    it("reverts when a stranger sets the window", async function () {
      await expectCustomError(
        doctors.setEmergencyWindow(HOUR, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("keeps the end of a window already opened", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      const granted = await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      await doctors.setEmergencyWindow(HOUR, { from: admin });
      const request = await doctors.getEmergencyRequest(requestId);
      assert.strictEqual(request.grantedUntil.toString(), String((await blockTimeOf(granted)) + DAY));
      await increaseTime(2 * HOUR);
      assert.isTrue(await doctors.hasEmergencyAccess(doctor, patient));
    });
  });

  describe("setEmergencyKey and clearEmergencyKey", function () {
    beforeEach(deployWithAdmins);

    it("opts a patient in at version 1 and emits EmergencyKeySet", async function () {
      const result = await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
      expectEvents(result, [["EmergencyKeySet", { patient, key: EMERGENCY_KEY, threshold: 2, version: 1 }]]);
      const entry = await doctors.emergencyKeyOf(patient);
      assert.strictEqual(entry.key, EMERGENCY_KEY);
      assert.strictEqual(entry.threshold.toString(), "2");
      assert.strictEqual(entry.version.toString(), "1");
    });

    it("renews the key at the next version", async function () {
      await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
      const result = await doctors.setEmergencyKey(RENEWED_KEY, 3, { from: patient });
      expectEvents(result, [["EmergencyKeySet", { patient, key: RENEWED_KEY, threshold: 3, version: 2 }]]);
      const entry = await doctors.emergencyKeyOf(patient);
      assert.strictEqual(entry.key, RENEWED_KEY);
      assert.strictEqual(entry.version.toString(), "2");
    });

    it("answers zeros for a patient who never opted in", async function () {
      const entry = await doctors.emergencyKeyOf(otherPatient);
      assert.strictEqual(entry.key, ZERO_BYTES32);
      assert.strictEqual(entry.threshold.toString(), "0");
      assert.strictEqual(entry.version.toString(), "0");
    });

    it("reverts when the key is zero", async function () {
      await expectCustomError(
        doctors.setEmergencyKey(ZERO_BYTES32, 2, { from: patient }),
        "DoctorContractInvalidEncryptionKey()",
        [],
      );
    });

    it("reverts when the patient's threshold is below the administrators' threshold", async function () {
      await expectCustomError(
        doctors.setEmergencyKey(EMERGENCY_KEY, 1, { from: patient }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [1, 3],
      );
    });

    it("reverts when the patient's threshold is above the number of administrators with a key", async function () {
      await expectCustomError(
        doctors.setEmergencyKey(EMERGENCY_KEY, 4, { from: patient }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [4, 3],
      );
    });

    it("reverts while fewer administrators have a key than the threshold", async function () {
      const fresh = await DoctorContract.new({ from: admin });
      await fresh.setAdminEncryptionKey(ADMIN_KEYS[admin], { from: admin });
      await expectCustomError(
        fresh.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient }),
        "DoctorContractInvalidThreshold(uint8,uint256)",
        [2, 1],
      );
    });

    it("clears the key, emits EmergencyKeyCleared and answers no key but the moved-on version", async function () {
      await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
      const result = await doctors.clearEmergencyKey({ from: patient });
      expectEvents(result, [["EmergencyKeyCleared", { patient }]]);
      const entry = await doctors.emergencyKeyOf(patient);
      assert.strictEqual(entry.key, ZERO_BYTES32);
      assert.strictEqual(entry.threshold.toString(), "0");
      // The next opt-in will be version 3: the browser stores its shares under that number before signing.
      assert.strictEqual(entry.version.toString(), "2");
    });

    it("continues the version after a clear, so an old request never comes back", async function () {
      await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
      await doctors.clearEmergencyKey({ from: patient });
      const result = await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
      expectEvent(result, "EmergencyKeySet", { patient, key: EMERGENCY_KEY, threshold: 2, version: 3 });
    });

    it("reverts when a patient who did not opt in clears", async function () {
      await expectCustomError(
        doctors.clearEmergencyKey({ from: patient }),
        "DoctorContractEmergencyNotEnabled(address)",
        [patient],
      );
    });
  });

  describe("requestEmergencyAccess", function () {
    beforeEach(async function () {
      await deployWithAdmins();
      await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: patient });
    });

    it("stores a pending request from id 1 and emits EmergencyAccessRequested", async function () {
      const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      expectEvents(result, [
        ["EmergencyAccessRequested", { requestId: 1, doctor, patient, reasonCode: REASON, noteHash: NOTE_HASH }],
      ]);
      const request = await doctors.getEmergencyRequest(1);
      assert.strictEqual(request.doctor, doctor);
      assert.strictEqual(request.patient, patient);
      assert.strictEqual(request.reasonCode.toString(), String(REASON));
      assert.strictEqual(request.state.toString(), PENDING);
      assert.strictEqual(request.approvals.toString(), "0");
      assert.strictEqual(request.threshold.toString(), "2");
      assert.strictEqual(request.keyVersion.toString(), "1");
      assert.strictEqual(request.requestedAt.toString(), String(await blockTimeOf(result)));
      assert.strictEqual(request.grantedUntil.toString(), "0");
      assert.strictEqual((await doctors.emergencyRequestCount()).toString(), "1");
      const access = await doctors.emergencyAccessOf(doctor, patient);
      assert.strictEqual(access.requestId.toString(), "1");
      assert.strictEqual(access.grantedUntil.toString(), "0");
    });

    it("accepts every reason code from 1 to 4 and no note", async function () {
      for (const [code, from, who] of [[1, doctor, patient], [4, doctor2, patient]]) {
        const result = await doctors.requestEmergencyAccess(who, code, ZERO_BYTES32, { from });
        expectEvent(result, "EmergencyAccessRequested", {
          requestId: result.logs[0].args.requestId,
          doctor: from,
          patient: who,
          reasonCode: code,
          noteHash: ZERO_BYTES32,
        });
      }
      assert.strictEqual((await doctors.emergencyRequestCount()).toString(), "2");
    });

    it("asks for the patient's threshold when it is above the administrators'", async function () {
      await doctors.setEmergencyKey(EMERGENCY_KEY, 3, { from: patient });
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      assert.strictEqual((await doctors.getEmergencyRequest(1)).threshold.toString(), "3");
    });

    it("asks for the administrators' threshold when they raised it after the patient opted in", async function () {
      await doctors.setEmergencyThreshold(3, { from: admin });
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      assert.strictEqual((await doctors.getEmergencyRequest(1)).threshold.toString(), "3");
    });

    it("reverts when the caller is not a doctor", async function () {
      await expectCustomError(
        doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: stranger }),
        "DoctorContractNotActiveDoctor(address)",
        [stranger],
      );
    });

    it("reverts when the caller is a deactivated doctor", async function () {
      await doctors.deactivateDoctor(doctor, { from: admin });
      await expectCustomError(
        doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor }),
        "DoctorContractNotActiveDoctor(address)",
        [doctor],
      );
    });

    it("reverts when the patient did not opt in", async function () {
      await expectCustomError(
        doctors.requestEmergencyAccess(otherPatient, REASON, NOTE_HASH, { from: doctor }),
        "DoctorContractEmergencyNotEnabled(address)",
        [otherPatient],
      );
    });

    it("reverts when the patient opted out", async function () {
      await doctors.clearEmergencyKey({ from: patient });
      await expectCustomError(
        doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor }),
        "DoctorContractEmergencyNotEnabled(address)",
        [patient],
      );
    });

    it("reverts when the reason code is 0 or above 4", async function () {
      for (const code of [0, 5, 255]) {
        await expectCustomError(
          doctors.requestEmergencyAccess(patient, code, NOTE_HASH, { from: doctor }),
          "DoctorContractInvalidReason(uint8)",
          [code],
        );
      }
    });

    it("reverts while the doctor's request for this patient is pending", async function () {
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await expectCustomError(
        doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor }),
        "DoctorContractEmergencyRequestOpen(uint256)",
        [1],
      );
    });

    it("reverts while the doctor's window on this patient is open", async function () {
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await doctors.approveEmergencyAccess(1, { from: admin });
      await doctors.approveEmergencyAccess(1, { from: admin2 });
      await expectCustomError(
        doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor }),
        "DoctorContractEmergencyRequestOpen(uint256)",
        [1],
      );
    });

    it("lets another doctor ask for the same patient, and the doctor ask for another patient", async function () {
      await doctors.setEmergencyKey(EMERGENCY_KEY, 2, { from: otherPatient });
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor2 });
      await doctors.requestEmergencyAccess(otherPatient, REASON, NOTE_HASH, { from: doctor });
      assert.strictEqual((await doctors.emergencyRequestCount()).toString(), "3");
    });

    it("lets the doctor ask again after a refusal", async function () {
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await doctors.refuseEmergencyAccess(1, { from: admin });
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      assert.strictEqual((await doctors.emergencyAccessOf(doctor, patient)).requestId.toString(), "2");
    });

    it("lets the doctor ask again once a pending request is older than the window", async function () {
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await increaseTime(DAY);
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      assert.strictEqual((await doctors.emergencyAccessOf(doctor, patient)).requestId.toString(), "2");
    });

    it("lets the doctor ask again once the window has ended", async function () {
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await doctors.approveEmergencyAccess(1, { from: admin });
      await doctors.approveEmergencyAccess(1, { from: admin2 });
      await increaseTime(DAY);
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      assert.strictEqual((await doctors.emergencyAccessOf(doctor, patient)).requestId.toString(), "2");
    });

    it("lets the doctor ask again on a renewed key", async function () {
      await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      await doctors.setEmergencyKey(RENEWED_KEY, 2, { from: patient });
      const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor });
      expectEvent(result, "EmergencyAccessRequested", { requestId: 2, doctor, patient, reasonCode: REASON, noteHash: NOTE_HASH });
      assert.strictEqual((await doctors.getEmergencyRequest(2)).keyVersion.toString(), "2");
    });
  });

  describe("approveEmergencyAccess", function () {
    let requestId;

    beforeEach(async function () {
      await deployWithAdmins();
      ({ requestId } = await optInAndRequest());
    });

    it("counts a first approval without granting and emits EmergencyAccessApproved", async function () {
      const result = await doctors.approveEmergencyAccess(requestId, { from: admin });
      expectEvents(result, [["EmergencyAccessApproved", { requestId, admin, approvals: 1 }]]);
      const request = await doctors.getEmergencyRequest(requestId);
      assert.strictEqual(request.state.toString(), PENDING);
      assert.strictEqual(request.approvals.toString(), "1");
      assert.strictEqual(request.grantedUntil.toString(), "0");
      assert.isTrue(await doctors.hasApprovedEmergency(requestId, admin));
      assert.isFalse(await doctors.hasApprovedEmergency(requestId, admin2));
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
    });

    it("grants at the threshold: Approved, a window of emergencyWindow, EmergencyAccessGranted", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      const result = await doctors.approveEmergencyAccess(requestId, { from: admin3 });
      const grantedUntil = (await blockTimeOf(result)) + DAY;
      expectEvents(result, [
        ["EmergencyAccessApproved", { requestId, admin: admin3, approvals: 2 }],
        ["EmergencyAccessGranted", { requestId, doctor, patient, grantedUntil }],
      ]);
      const request = await doctors.getEmergencyRequest(requestId);
      assert.strictEqual(request.state.toString(), APPROVED);
      assert.strictEqual(request.approvals.toString(), "2");
      assert.strictEqual(request.grantedUntil.toString(), String(grantedUntil));
      const access = await doctors.emergencyAccessOf(doctor, patient);
      assert.strictEqual(access.requestId.toString(), requestId);
      assert.strictEqual(access.grantedUntil.toString(), String(grantedUntil));
      assert.isTrue(await doctors.hasEmergencyAccess(doctor, patient));
    });

    it("opens a window as long as the window setting at the last approval", async function () {
      await doctors.setEmergencyWindow(2 * HOUR, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      const result = await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      const request = await doctors.getEmergencyRequest(requestId);
      assert.strictEqual(request.grantedUntil.toString(), String((await blockTimeOf(result)) + 2 * HOUR));
    });

    it("needs three approvals when the patient asked for three", async function () {
      await doctors.setEmergencyKey(RENEWED_KEY, 3, { from: patient });
      const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor2 });
      const id = result.logs[0].args.requestId.toString();
      await doctors.approveEmergencyAccess(id, { from: admin });
      await doctors.approveEmergencyAccess(id, { from: admin2 });
      assert.isFalse(await doctors.hasEmergencyAccess(doctor2, patient));
      const third = await doctors.approveEmergencyAccess(id, { from: admin3 });
      expectEvent(third, "EmergencyAccessGranted", {
        requestId: id,
        doctor: doctor2,
        patient,
        grantedUntil: (await blockTimeOf(third)) + DAY,
      });
      assert.isTrue(await doctors.hasEmergencyAccess(doctor2, patient));
    });

    it("reverts when a stranger approves", async function () {
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("reverts when the requesting doctor approves", async function () {
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: doctor }),
        "DoctorContractUnauthorized(address)",
        [doctor],
      );
    });

    it("reverts when the request does not exist", async function () {
      for (const id of [0, 2]) {
        await expectCustomError(
          doctors.approveEmergencyAccess(id, { from: admin }),
          "DoctorContractEmergencyRequestNotFound(uint256)",
          [id],
        );
      }
    });

    it("reverts when the request is already approved", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin3 }),
        "DoctorContractEmergencyRequestClosed(uint256)",
        [requestId],
      );
    });

    it("reverts when the request was refused", async function () {
      await doctors.refuseEmergencyAccess(requestId, { from: admin2 });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin }),
        "DoctorContractEmergencyRequestClosed(uint256)",
        [requestId],
      );
    });

    it("reverts once the request is older than the window", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await increaseTime(DAY);
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin2 }),
        "DoctorContractEmergencyRequestExpired(uint256)",
        [requestId],
      );
    });

    it("reverts when the administrator has no key", async function () {
      await doctors.addAdmin(stranger, { from: admin });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: stranger }),
        "DoctorContractAdminKeyMissing(address)",
        [stranger],
      );
    });

    it("reverts when an administrator approves their own request", async function () {
      await doctors.addAdmin(adminDoctor, { from: admin });
      await doctors.setAdminEncryptionKey(bytes32Of("x25519:admin-doctor"), { from: adminDoctor });
      await doctors.registerDoctor(adminDoctor, "Dr. Gail Ross", "Anaesthesia", LICENCE, { from: admin });
      const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: adminDoctor });
      const own = result.logs[0].args.requestId.toString();
      await expectCustomError(
        doctors.approveEmergencyAccess(own, { from: adminDoctor }),
        "DoctorContractOwnRequest(uint256,address)",
        [own, adminDoctor],
      );
    });

    it("reverts when an administrator approves twice", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin }),
        "DoctorContractAlreadyApproved(uint256,address)",
        [requestId, admin],
      );
      assert.strictEqual((await doctors.getEmergencyRequest(requestId)).approvals.toString(), "1");
    });

    it("reverts when the requesting doctor was deactivated", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.deactivateDoctor(doctor, { from: admin });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin2 }),
        "DoctorContractNotActiveDoctor(address)",
        [doctor],
      );
    });

    it("reverts when the patient renewed the key since the request", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.setEmergencyKey(RENEWED_KEY, 2, { from: patient });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin2 }),
        "DoctorContractEmergencyKeyChanged(uint256)",
        [requestId],
      );
    });

    it("reverts when the patient opted out since the request", async function () {
      await doctors.clearEmergencyKey({ from: patient });
      await expectCustomError(
        doctors.approveEmergencyAccess(requestId, { from: admin }),
        "DoctorContractEmergencyKeyChanged(uint256)",
        [requestId],
      );
    });
  });

  describe("refuseEmergencyAccess", function () {
    let requestId;

    beforeEach(async function () {
      await deployWithAdmins();
      ({ requestId } = await optInAndRequest());
    });

    it("closes the request as Refused and emits EmergencyAccessRefused", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      const result = await doctors.refuseEmergencyAccess(requestId, { from: admin2 });
      expectEvents(result, [["EmergencyAccessRefused", { requestId, admin: admin2 }]]);
      const request = await doctors.getEmergencyRequest(requestId);
      assert.strictEqual(request.state.toString(), REFUSED);
      assert.strictEqual(request.grantedUntil.toString(), "0");
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
    });

    it("needs no administrator key", async function () {
      await doctors.addAdmin(stranger, { from: admin });
      await doctors.refuseEmergencyAccess(requestId, { from: stranger });
      assert.strictEqual((await doctors.getEmergencyRequest(requestId)).state.toString(), REFUSED);
    });

    it("reverts when a stranger refuses", async function () {
      await expectCustomError(
        doctors.refuseEmergencyAccess(requestId, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("reverts when the request does not exist", async function () {
      await expectCustomError(
        doctors.refuseEmergencyAccess(7, { from: admin }),
        "DoctorContractEmergencyRequestNotFound(uint256)",
        [7],
      );
    });

    it("reverts when the request is already approved or refused", async function () {
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      await expectCustomError(
        doctors.refuseEmergencyAccess(requestId, { from: admin3 }),
        "DoctorContractEmergencyRequestClosed(uint256)",
        [requestId],
      );
      const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: doctor2 });
      const other = result.logs[0].args.requestId.toString();
      await doctors.refuseEmergencyAccess(other, { from: admin });
      await expectCustomError(
        doctors.refuseEmergencyAccess(other, { from: admin2 }),
        "DoctorContractEmergencyRequestClosed(uint256)",
        [other],
      );
    });

    it("reverts once the request is older than the window", async function () {
      await increaseTime(DAY);
      await expectCustomError(
        doctors.refuseEmergencyAccess(requestId, { from: admin }),
        "DoctorContractEmergencyRequestExpired(uint256)",
        [requestId],
      );
    });

    it("reverts when an administrator refuses their own request", async function () {
      await doctors.addAdmin(adminDoctor, { from: admin });
      await doctors.registerDoctor(adminDoctor, "Dr. Gail Ross", "Anaesthesia", LICENCE, { from: admin });
      const result = await doctors.requestEmergencyAccess(patient, REASON, NOTE_HASH, { from: adminDoctor });
      const own = result.logs[0].args.requestId.toString();
      await expectCustomError(
        doctors.refuseEmergencyAccess(own, { from: adminDoctor }),
        "DoctorContractOwnRequest(uint256,address)",
        [own, adminDoctor],
      );
    });
  });

  describe("views", function () {
    beforeEach(deployWithAdmins);

    it("answers no request and no access for a pair that never asked", async function () {
      const access = await doctors.emergencyAccessOf(doctor, patient);
      assert.strictEqual(access.requestId.toString(), "0");
      assert.strictEqual(access.grantedUntil.toString(), "0");
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
      assert.isFalse(await doctors.hasApprovedEmergency(1, admin));
    });

    it("reverts getEmergencyRequest for id 0 and past the count", async function () {
      for (const id of [0, 1]) {
        await expectCustomError(
          doctors.getEmergencyRequest(id),
          "DoctorContractEmergencyRequestNotFound(uint256)",
          [id],
        );
      }
    });
  });

  describe("hasEmergencyAccess: the end of a window", function () {
    let requestId;

    beforeEach(async function () {
      await deployWithAdmins();
      ({ requestId } = await optInAndRequest());
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
    });

    it("holds only for the approved doctor and patient", async function () {
      assert.isTrue(await doctors.hasEmergencyAccess(doctor, patient));
      assert.isFalse(await doctors.hasEmergencyAccess(doctor2, patient));
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, otherPatient));
    });

    it("ends when the window expires", async function () {
      await increaseTime(DAY - 60);
      assert.isTrue(await doctors.hasEmergencyAccess(doctor, patient));
      await increaseTime(60);
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
    });

    it("ends when the doctor is deactivated, and comes back with a reactivation inside the window", async function () {
      await doctors.deactivateDoctor(doctor, { from: admin });
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
      await doctors.reactivateDoctor(doctor, { from: admin });
      assert.isTrue(await doctors.hasEmergencyAccess(doctor, patient));
    });

    it("ends when the patient renews the emergency key", async function () {
      await doctors.setEmergencyKey(RENEWED_KEY, 2, { from: patient });
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
    });

    it("ends when the patient opts out", async function () {
      await doctors.clearEmergencyKey({ from: patient });
      assert.isFalse(await doctors.hasEmergencyAccess(doctor, patient));
    });
  });

  describe("PatientContract honours an open window when no grant is live", function () {
    let patients;
    let records;

    beforeEach(async function () {
      await deployWithAdmins();
      patients = await PatientContract.new(doctors.address, { from: admin });
      await patients.registerPatient(bytes32Of("x25519:patient"), { from: patient });
      records = [];
      for (let i = 0; i < 3; i++) {
        await patients.addRecord(patient, bytes32Of(`emergency-record-${i}`), CODEC_RAW, { from: patient });
        records.push(recordIdOf(patient, i));
      }
    });

    it("refuses the doctor below the threshold, allows every record at it, and logs each opening", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      assert.isFalse(await patients.canRead(doctor, records[0]));
      await expectCustomError(
        patients.logAccess(records[0], { from: doctor }),
        "PatientContractAccessDenied(address,uint256)",
        [doctor, records[0]],
      );

      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      for (const recordId of records) {
        assert.isTrue(await patients.canRead(doctor, recordId));
        const result = await patients.logAccess(recordId, { from: doctor });
        expectEvents(result, [
          ["RecordAccessed", { patient, doctor, recordId, time: await blockTimeOf(result) }],
        ]);
      }
      assert.isFalse(await patients.canRead(doctor2, records[0]));
      assert.isFalse(await patients.canRead(doctor, recordIdOf(patient, 3)), "a record that does not exist");
    });

    it("refuses the doctor again when the window expires", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      await increaseTime(DAY);
      assert.isFalse(await patients.canRead(doctor, records[0]));
      await expectCustomError(
        patients.logAccess(records[0], { from: doctor }),
        "PatientContractAccessDenied(address,uint256)",
        [doctor, records[0]],
      );
    });

    it("refuses a deactivated doctor with NotActiveDoctor, as for a grant", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      await doctors.deactivateDoctor(doctor, { from: admin });
      assert.isFalse(await patients.canRead(doctor, records[0]));
      await expectCustomError(
        patients.logAccess(records[0], { from: doctor }),
        "PatientContractNotActiveDoctor(address)",
        [doctor],
      );
    });

    it("refuses the doctor once the patient renews the emergency key", async function () {
      const { requestId } = await optInAndRequest();
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      await doctors.setEmergencyKey(RENEWED_KEY, 2, { from: patient });
      assert.isFalse(await patients.canRead(doctor, records[1]));
    });

    it("leaves a doctor with a live grant and no emergency request reading as before", async function () {
      await patients.grantRecordAccess(doctor2, records[0], 0, { from: patient });
      assert.isTrue(await patients.canRead(doctor2, records[0]));
      assert.isFalse(await patients.canRead(doctor2, records[1]));
      await patients.logAccess(records[0], { from: doctor2 });
    });

    it("lets the window cover a record whose grant was revoked", async function () {
      await patients.grantRecordAccess(doctor, records[0], 0, { from: patient });
      await patients.revokeAccess(doctor, [records[0]], { from: patient });
      const { requestId } = await optInAndRequest();
      await doctors.approveEmergencyAccess(requestId, { from: admin });
      await doctors.approveEmergencyAccess(requestId, { from: admin2 });
      assert.isTrue(await patients.canRead(doctor, records[0]));
    });

    it("never lets a stranger read, window or not", async function () {
      await optInAndRequest();
      assert.isFalse(await patients.canRead(stranger, records[0]));
      await expectCustomError(
        patients.logAccess(records[0], { from: stranger }),
        "PatientContractNotActiveDoctor(address)",
        [stranger],
      );
    });

    it("keeps the patient's own access", async function () {
      assert.isTrue(await patients.canRead(patient, records[0]));
      await patients.logAccess(records[0], { from: patient });
    });
  });
});
