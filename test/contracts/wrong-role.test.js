"use strict";

// Every privileged function of DoctorContract and PatientContract, called by each role that may not call it,
// reverts with its named custom error (and arguments), emits no event and changes no state: the state is read
// through every view of both contracts, for every account involved, before and after the calls.
const DoctorContract = artifacts.require("DoctorContract");
const PatientContract = artifacts.require("PatientContract");

const { expectCustomError } = require("./helpers/errors");
const { CODEC_RAW, ZERO_BYTES32, recordIdOf, bytes32Of } = require("./helpers/chain");

contract("wrong roles", function (accounts) {
  const [admin, admin2, doctor, inactiveDoctor, patient, otherPatient, stranger, newAccount] = accounts;
  const ROLES = { admin, admin2, doctor, inactiveDoctor, patient, otherPatient, stranger };
  const LICENCE = bytes32Of("licence:MED-WRONG-ROLE");
  const KEY = bytes32Of("x25519:wrong-role");
  const DIGEST = bytes32Of("record:wrong-role");

  let doctors;
  let patients;
  /** patient's records: 0 granted to `doctor`, 1 not granted. */
  let records;

  before(async function () {
    doctors = await DoctorContract.new({ from: admin });
    patients = await PatientContract.new(doctors.address, { from: admin });
    await doctors.addAdmin(admin2, { from: admin });
    await doctors.setAdminEncryptionKey(bytes32Of("x25519:admin"), { from: admin });
    await doctors.setAdminEncryptionKey(bytes32Of("x25519:admin2"), { from: admin2 });
    await doctors.registerDoctor(doctor, "Dr. Hana Weiss", "Cardiology", LICENCE, { from: admin });
    await doctors.registerDoctor(inactiveDoctor, "Dr. Ivo Lang", "Oncology", LICENCE, { from: admin });
    await doctors.setEncryptionKey(bytes32Of("x25519:doctor"), { from: doctor });
    for (const account of [patient, otherPatient]) await patients.registerPatient(bytes32Of(`x25519:${account}`), { from: account });
    for (let i = 0; i < 2; i++) await patients.addRecord(patient, bytes32Of(`record:${i}`), CODEC_RAW, { from: patient });
    records = [recordIdOf(patient, 0), recordIdOf(patient, 1)];
    await patients.grantRecordAccess(doctor, records[0], 0, { from: patient });
    await patients.grantAllAccess(inactiveDoctor, 0, { from: patient });
    await doctors.deactivateDoctor(inactiveDoctor, { from: admin });
    await doctors.setEmergencyKey(bytes32Of("x25519:emergency"), 2, { from: patient });
    await doctors.requestEmergencyAccess(patient, 1, ZERO_BYTES32, { from: doctor }); // request 1, pending
  });

  /**
   * Everything both contracts let anyone read about these accounts, as one comparable object: every view of both
   * contracts, for every account, and for every (patient, account) pair.
   */
  async function state() {
    const everyone = [...Object.values(ROLES), newAccount];
    const reads = [];
    const read = (key, call) => reads.push(call().then((value) => [key, JSON.stringify(value, (_key, inner) => (web3.utils.isBN(inner) ? inner.toString() : inner))]));
    read("admins", () => doctors.getAdmins());
    read("adminCount", () => doctors.adminCount());
    read("doctors", () => doctors.getDoctors(0, 100));
    read("threshold", () => doctors.emergencyThreshold());
    read("window", () => doctors.emergencyWindow());
    read("adminsWithKey", () => doctors.adminsWithKeyCount());
    read("requests", () => doctors.emergencyRequestCount());
    read("request 1", () => doctors.getEmergencyRequest(1));
    for (const account of everyone) {
      read(`isAdmin ${account}`, () => doctors.isAdmin(account));
      read(`adminKey ${account}`, () => doctors.adminEncryptionKeyOf(account));
      read(`isDoctor ${account}`, () => doctors.isDoctor(account));
      read(`isActiveDoctor ${account}`, () => doctors.isActiveDoctor(account));
      read(`emergencyKey ${account}`, () => doctors.emergencyKeyOf(account));
      read(`approved 1 ${account}`, () => doctors.hasApprovedEmergency(1, account));
      read(`isPatient ${account}`, () => patients.isPatient(account));
      read(`records ${account}`, () => patients.getRecords(account, 0, 100));
      for (const owner of [patient, otherPatient]) {
        read(`emergencyAccess ${account} ${owner}`, () => doctors.emergencyAccessOf(account, owner));
        read(`hasEmergencyAccess ${account} ${owner}`, () => doctors.hasEmergencyAccess(account, owner));
        read(`grants ${owner} ${account}`, () => patients.getGrants(owner, account, 0, 100));
        read(`allAccess ${owner} ${account}`, () => patients.getAllAccess(owner, account));
      }
      for (const recordId of records) read(`canRead ${account} ${recordId}`, () => patients.canRead(account, recordId));
    }
    for (const owner of [patient, otherPatient]) read(`patientKey ${owner}`, () => patients.encryptionKeyOf(owner));
    return Object.fromEntries(await Promise.all(reads));
  }

  const unauthorized = (caller) => ["DoctorContractUnauthorized(address)", [caller]];
  const NOT_ADMINS = ["doctor", "inactiveDoctor", "patient", "otherPatient", "stranger"];
  const NON_PATIENTS = ["admin", "doctor", "inactiveDoctor", "stranger"];

  /**
   * [contract, function, arguments, { role: (caller) => [error signature, error arguments] }]. Every role listed
   * may not call the function; the roles that may (or whose call is a legitimate one of their own) are left out.
   */
  const cases = () => [
    ...[
      ["addAdmin", [newAccount]],
      ["removeAdmin", [admin2]],
      ["registerDoctor", [newAccount, "Dr. New", "Radiology", LICENCE]],
      ["deactivateDoctor", [doctor]],
      ["reactivateDoctor", [inactiveDoctor]],
      ["setAdminEncryptionKey", [KEY]],
      ["setEmergencyThreshold", [1]],
      ["setEmergencyWindow", [3600]],
      ["approveEmergencyAccess", [1]],
      ["refuseEmergencyAccess", [1]],
    ].map(([name, args]) => [doctors, name, args, Object.fromEntries(NOT_ADMINS.map((role) => [role, unauthorized]))]),
    [
      doctors,
      "setEncryptionKey",
      [KEY],
      Object.fromEntries(["admin", "patient", "stranger"].map((role) => [role, (caller) => ["DoctorContractNotRegistered(address)", [caller]]])),
    ],
    [
      doctors,
      "requestEmergencyAccess",
      [patient, 1, ZERO_BYTES32],
      Object.fromEntries(
        ["admin", "inactiveDoctor", "patient", "stranger"].map((role) => [role, (caller) => ["DoctorContractNotActiveDoctor(address)", [caller]]]),
      ),
    ],
    [
      doctors,
      "clearEmergencyKey",
      [],
      Object.fromEntries(
        ["admin", "doctor", "otherPatient", "stranger"].map((role) => [role, (caller) => ["DoctorContractEmergencyNotEnabled(address)", [caller]]]),
      ),
    ],
    ...[
      ["setEncryptionKey", [KEY]],
      ["grantAllAccess", [doctor, 0]],
      ["updateAllAccessExpiry", [inactiveDoctor, 0]],
      ["revokeAllAccess", [doctor]],
    ].map(([name, args]) => [
      patients,
      name,
      args,
      Object.fromEntries(NON_PATIENTS.map((role) => [role, (caller) => ["PatientContractNotRegistered(address)", [caller]]])),
    ]),
    ...[
      ["grantAccess", [doctor, [records[1]], 0]],
      ["grantRecordAccess", [doctor, records[1], 0]],
      ["revokeAccess", [doctor, [records[0]]]],
    ].map(([name, args]) => [
      patients,
      name,
      args,
      {
        ...Object.fromEntries(NON_PATIENTS.map((role) => [role, (caller) => ["PatientContractNotRegistered(address)", [caller]]])),
        otherPatient: (caller) => ["PatientContractNotRecordOwner(address,uint256)", [caller, name === "revokeAccess" ? records[0] : records[1]]],
      },
    ]),
    ...[
      ["addRecord", [patient, DIGEST, CODEC_RAW]],
      ["amendRecord", [records[0], DIGEST, CODEC_RAW]],
    ].map(([name, args]) => [
      patients,
      name,
      args,
      {
        ...Object.fromEntries(
          ["admin", "inactiveDoctor", "otherPatient", "stranger"].map((role) => [role, (caller) => ["PatientContractNotActiveDoctor(address)", [caller]]]),
        ),
        // A per-record grant is read-only, and no emergency window lets a doctor write.
        doctor: (caller) => ["PatientContractWriteDenied(address,address)", [caller, patient]],
      },
    ]),
    [
      patients,
      "logAccess",
      [records[1]],
      {
        ...Object.fromEntries(
          ["admin", "inactiveDoctor", "otherPatient", "stranger"].map((role) => [role, (caller) => ["PatientContractNotActiveDoctor(address)", [caller]]]),
        ),
        doctor: (caller) => ["PatientContractAccessDenied(address,uint256)", [caller, records[1]]],
      },
    ],
  ];

  it("covers every state-changing function of both contracts", async function () {
    const covered = new Set(cases().map(([contract, name]) => `${contract === doctors ? "DoctorContract" : "PatientContract"}.${name}`));
    const writes = (artifact) =>
      artifact.abi
        .filter((entry) => entry.type === "function" && entry.stateMutability !== "view" && entry.stateMutability !== "pure")
        .map((entry) => `${artifact.contractName}.${entry.name}`);
    // Open to everyone by design: a patient registers themself; any address may publish an emergency key.
    const open = new Set(["PatientContract.registerPatient", "DoctorContract.setEmergencyKey"]);
    const missing = [...writes(DoctorContract), ...writes(PatientContract)].filter((name) => !covered.has(name) && !open.has(name));
    assert.deepEqual(missing, [], "every privileged function has wrong-role rows");
  });

  it("reverts each wrong role with the named error and no event, and no call changes any state", async function () {
    this.timeout(300_000);
    // A reverted call cannot change state, and each call below must revert with its named error; the views of
    // both contracts are still compared before and after the whole run, for every account involved.
    const before = await state();
    let checked = 0;
    for (const [contract, name, args, wrong] of cases()) {
      for (const [role, expected] of Object.entries(wrong)) {
        const caller = ROLES[role];
        const [signature, errorArgs] = expected(caller);
        const fromBlock = await web3.eth.getBlockNumber();
        await expectCustomError(contract[name](...args, { from: caller }), signature, errorArgs);
        const logs = await web3.eth.getPastLogs({ fromBlock: fromBlock + 1, toBlock: "latest", address: [doctors.address, patients.address] });
        assert.lengthOf(logs, 0, `${name} by ${role} emitted an event`);
        checked += 1;
      }
    }
    assert.isAtLeast(checked, 80);
    const after = await state();
    for (const key of Object.keys(before)) assert.deepEqual(after[key], before[key], `the wrong-role calls changed ${key}`);
  });
});
