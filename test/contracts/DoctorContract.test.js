"use strict";

const DoctorContract = artifacts.require("DoctorContract");

const { expectCustomError } = require("./helpers/errors");
const { expectEvent, expectEvents } = require("./helpers/events");
const { ZERO_ADDRESS, ZERO_BYTES32, blockTimeOf, bytes32Of } = require("./helpers/chain");
const { shouldBehaveLikePagedList } = require("./behaviours/paging");

contract("DoctorContract", function (accounts) {
  const [admin, otherAdmin, doctor, otherDoctor, thirdDoctor, stranger] = accounts;

  const NAME = "Dr. Alice Martin";
  const SPECIALTY = "Cardiology";
  const LICENCE = bytes32Of("licence:MED-2024-001234");
  const KEY = bytes32Of("x25519:alice");
  const MAX = 100;

  let doctors;

  beforeEach(async function () {
    doctors = await DoctorContract.new({ from: admin });
  });

  describe("deployment", function () {
    it("makes the deployer the first and only administrator", async function () {
      assert.isTrue(await doctors.isAdmin(admin));
      assert.isFalse(await doctors.isAdmin(stranger));
      assert.strictEqual((await doctors.adminCount()).toString(), "1");
    });

    it("emits AdminAdded for the deployer", async function () {
      const events = await doctors.getPastEvents("AdminAdded", { fromBlock: 0 });
      assert.strictEqual(events.length, 1);
      assert.strictEqual(events[0].args.account, admin);
      assert.strictEqual(events[0].args.admin, admin);
    });

    it("starts with no doctor", async function () {
      assert.strictEqual((await doctors.doctorCount()).toString(), "0");
    });
  });

  describe("addAdmin", function () {
    it("makes an account an administrator and emits AdminAdded", async function () {
      const result = await doctors.addAdmin(otherAdmin, { from: admin });
      expectEvents(result, [["AdminAdded", { account: otherAdmin, admin }]]);
      assert.isTrue(await doctors.isAdmin(otherAdmin));
      assert.strictEqual((await doctors.adminCount()).toString(), "2");
    });

    it("lets the new administrator act as one", async function () {
      await doctors.addAdmin(otherAdmin, { from: admin });
      await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: otherAdmin });
      assert.isTrue(await doctors.isActiveDoctor(doctor));
    });

    it("reverts when a stranger adds an administrator", async function () {
      await expectCustomError(
        doctors.addAdmin(stranger, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("reverts when the account is the zero address", async function () {
      await expectCustomError(doctors.addAdmin(ZERO_ADDRESS, { from: admin }), "DoctorContractZeroAddress()", []);
    });

    it("reverts when the account is already an administrator", async function () {
      await expectCustomError(
        doctors.addAdmin(admin, { from: admin }),
        "DoctorContractAlreadyAdmin(address)",
        [admin],
      );
    });
  });

  describe("removeAdmin", function () {
    beforeEach(async function () {
      await doctors.addAdmin(otherAdmin, { from: admin });
    });

    it("removes an administrator and emits AdminRemoved", async function () {
      const result = await doctors.removeAdmin(otherAdmin, { from: admin });
      expectEvents(result, [["AdminRemoved", { account: otherAdmin, admin }]]);
      assert.isFalse(await doctors.isAdmin(otherAdmin));
      assert.strictEqual((await doctors.adminCount()).toString(), "1");
    });

    it("lets an administrator remove themself when another remains", async function () {
      await doctors.removeAdmin(admin, { from: admin });
      assert.isFalse(await doctors.isAdmin(admin));
      assert.isTrue(await doctors.isAdmin(otherAdmin));
    });

    it("takes every administrator right from the removed account", async function () {
      await doctors.removeAdmin(otherAdmin, { from: admin });
      await expectCustomError(
        doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: otherAdmin }),
        "DoctorContractUnauthorized(address)",
        [otherAdmin],
      );
    });

    it("reverts when a stranger removes an administrator", async function () {
      await expectCustomError(
        doctors.removeAdmin(otherAdmin, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("reverts when the account is not an administrator", async function () {
      await expectCustomError(
        doctors.removeAdmin(stranger, { from: admin }),
        "DoctorContractNotAdmin(address)",
        [stranger],
      );
    });

    it("reverts when an administrator removes the last administrator", async function () {
      await doctors.removeAdmin(otherAdmin, { from: admin });
      await expectCustomError(
        doctors.removeAdmin(admin, { from: admin }),
        "DoctorContractLastAdmin(address)",
        [admin],
      );
      assert.isTrue(await doctors.isAdmin(admin));
      assert.strictEqual((await doctors.adminCount()).toString(), "1");
    });
  });

  describe("registerDoctor", function () {
    it("registers an active doctor, stores the details and emits DoctorRegistered", async function () {
      const result = await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin });
      expectEvents(result, [
        ["DoctorRegistered", { doctor, admin, name: NAME, specialty: SPECIALTY, licenceHash: LICENCE }],
      ]);

      const entry = await doctors.getDoctor(doctor);
      assert.strictEqual(entry.name, NAME);
      assert.strictEqual(entry.specialty, SPECIALTY);
      assert.strictEqual(entry.licenceHash, LICENCE);
      assert.strictEqual(entry.encryptionKey, ZERO_BYTES32);
      assert.isTrue(entry.active);
      assert.strictEqual(Number(entry.registeredAt), await blockTimeOf(result));

      assert.isTrue(await doctors.isDoctor(doctor));
      assert.isTrue(await doctors.isActiveDoctor(doctor));
      assert.strictEqual((await doctors.doctorCount()).toString(), "1");
    });

    it("accepts a name and a specialty of exactly MAX_TEXT_LENGTH bytes", async function () {
      assert.strictEqual((await doctors.MAX_TEXT_LENGTH()).toString(), String(MAX));
      await doctors.registerDoctor(doctor, "n".repeat(MAX), "s".repeat(MAX), LICENCE, { from: admin });
      assert.strictEqual((await doctors.getDoctor(doctor)).name, "n".repeat(MAX));
    });

    it("reverts when a stranger registers a doctor", async function () {
      await expectCustomError(
        doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: stranger }),
        "DoctorContractUnauthorized(address)",
        [stranger],
      );
    });

    it("reverts when a doctor registers another doctor", async function () {
      await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin });
      await expectCustomError(
        doctors.registerDoctor(otherDoctor, NAME, SPECIALTY, LICENCE, { from: doctor }),
        "DoctorContractUnauthorized(address)",
        [doctor],
      );
    });

    it("reverts when the doctor is the zero address", async function () {
      await expectCustomError(
        doctors.registerDoctor(ZERO_ADDRESS, NAME, SPECIALTY, LICENCE, { from: admin }),
        "DoctorContractZeroAddress()",
        [],
      );
    });

    it("reverts when the doctor is already registered", async function () {
      await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin });
      await expectCustomError(
        doctors.registerDoctor(doctor, "Someone else", SPECIALTY, LICENCE, { from: admin }),
        "DoctorContractAlreadyRegistered(address)",
        [doctor],
      );
    });

    it("reverts when a deactivated doctor is registered again", async function () {
      await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin });
      await doctors.deactivateDoctor(doctor, { from: admin });
      await expectCustomError(
        doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin }),
        "DoctorContractAlreadyRegistered(address)",
        [doctor],
      );
    });

    it("reverts when the name is empty", async function () {
      await expectCustomError(
        doctors.registerDoctor(doctor, "", SPECIALTY, LICENCE, { from: admin }),
        "DoctorContractInvalidName(string)",
        [""],
      );
    });

    it("reverts when the name is longer than MAX_TEXT_LENGTH bytes", async function () {
      const name = "n".repeat(MAX + 1);
      await expectCustomError(
        doctors.registerDoctor(doctor, name, SPECIALTY, LICENCE, { from: admin }),
        "DoctorContractInvalidName(string)",
        [name],
      );
    });

    it("reverts when the specialty is empty", async function () {
      await expectCustomError(
        doctors.registerDoctor(doctor, NAME, "", LICENCE, { from: admin }),
        "DoctorContractInvalidSpecialty(string)",
        [""],
      );
    });

    it("reverts when the specialty is longer than MAX_TEXT_LENGTH bytes", async function () {
      const specialty = "s".repeat(MAX + 1);
      await expectCustomError(
        doctors.registerDoctor(doctor, NAME, specialty, LICENCE, { from: admin }),
        "DoctorContractInvalidSpecialty(string)",
        [specialty],
      );
    });

    it("reverts when the licence hash is zero", async function () {
      await expectCustomError(
        doctors.registerDoctor(doctor, NAME, SPECIALTY, ZERO_BYTES32, { from: admin }),
        "DoctorContractInvalidLicenceHash()",
        [],
      );
    });
  });

  describe("with a registered doctor", function () {
    beforeEach(async function () {
      await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin });
    });

    describe("deactivateDoctor", function () {
      it("deactivates the doctor at once and emits DoctorDeactivated", async function () {
        const result = await doctors.deactivateDoctor(doctor, { from: admin });
        expectEvents(result, [["DoctorDeactivated", { doctor, admin }]]);
        assert.isFalse(await doctors.isActiveDoctor(doctor));
        assert.isFalse((await doctors.getDoctor(doctor)).active);
        assert.isTrue(await doctors.isDoctor(doctor), "the doctor stays registered");
        assert.strictEqual((await doctors.doctorCount()).toString(), "1");
      });

      it("reverts when a stranger deactivates a doctor", async function () {
        await expectCustomError(
          doctors.deactivateDoctor(doctor, { from: stranger }),
          "DoctorContractUnauthorized(address)",
          [stranger],
        );
      });

      it("reverts when the doctor is not registered", async function () {
        await expectCustomError(
          doctors.deactivateDoctor(stranger, { from: admin }),
          "DoctorContractNotRegistered(address)",
          [stranger],
        );
      });

      it("reverts when the doctor is already inactive", async function () {
        await doctors.deactivateDoctor(doctor, { from: admin });
        await expectCustomError(
          doctors.deactivateDoctor(doctor, { from: admin }),
          "DoctorContractAlreadyInactive(address)",
          [doctor],
        );
      });
    });

    describe("reactivateDoctor", function () {
      beforeEach(async function () {
        await doctors.deactivateDoctor(doctor, { from: admin });
      });

      it("reactivates the doctor and emits DoctorReactivated", async function () {
        const result = await doctors.reactivateDoctor(doctor, { from: admin });
        expectEvents(result, [["DoctorReactivated", { doctor, admin }]]);
        assert.isTrue(await doctors.isActiveDoctor(doctor));
        assert.isTrue((await doctors.getDoctor(doctor)).active);
      });

      it("reverts when a stranger reactivates a doctor", async function () {
        await expectCustomError(
          doctors.reactivateDoctor(doctor, { from: stranger }),
          "DoctorContractUnauthorized(address)",
          [stranger],
        );
      });

      it("reverts when the doctor is not registered", async function () {
        await expectCustomError(
          doctors.reactivateDoctor(stranger, { from: admin }),
          "DoctorContractNotRegistered(address)",
          [stranger],
        );
      });

      it("reverts when the doctor is already active", async function () {
        await doctors.reactivateDoctor(doctor, { from: admin });
        await expectCustomError(
          doctors.reactivateDoctor(doctor, { from: admin }),
          "DoctorContractAlreadyActive(address)",
          [doctor],
        );
      });
    });

    describe("setEncryptionKey", function () {
      it("publishes the doctor's key and emits DoctorEncryptionKeySet", async function () {
        const result = await doctors.setEncryptionKey(KEY, { from: doctor });
        expectEvents(result, [["DoctorEncryptionKeySet", { doctor, encryptionKey: KEY }]]);
        assert.strictEqual((await doctors.getDoctor(doctor)).encryptionKey, KEY);
      });

      it("rotates the key when called again", async function () {
        await doctors.setEncryptionKey(KEY, { from: doctor });
        const rotated = bytes32Of("x25519:alice:2");
        const result = await doctors.setEncryptionKey(rotated, { from: doctor });
        expectEvent(result, "DoctorEncryptionKeySet", { doctor, encryptionKey: rotated });
        assert.strictEqual((await doctors.getDoctor(doctor)).encryptionKey, rotated);
      });

      it("lets a deactivated doctor rotate their key", async function () {
        await doctors.deactivateDoctor(doctor, { from: admin });
        await doctors.setEncryptionKey(KEY, { from: doctor });
        assert.strictEqual((await doctors.getDoctor(doctor)).encryptionKey, KEY);
      });

      it("reverts when a stranger sets a key", async function () {
        await expectCustomError(
          doctors.setEncryptionKey(KEY, { from: stranger }),
          "DoctorContractNotRegistered(address)",
          [stranger],
        );
      });

      it("reverts when an administrator who is not a doctor sets a key", async function () {
        await expectCustomError(
          doctors.setEncryptionKey(KEY, { from: admin }),
          "DoctorContractNotRegistered(address)",
          [admin],
        );
      });

      it("reverts when the key is zero", async function () {
        await expectCustomError(
          doctors.setEncryptionKey(ZERO_BYTES32, { from: doctor }),
          "DoctorContractInvalidEncryptionKey()",
          [],
        );
      });
    });
  });

  describe("views", function () {
    it("reports an unknown address as neither doctor nor active", async function () {
      assert.isFalse(await doctors.isDoctor(stranger));
      assert.isFalse(await doctors.isActiveDoctor(stranger));
    });

    it("reverts getDoctor for an address that is not a doctor", async function () {
      await expectCustomError(doctors.getDoctor(stranger), "DoctorContractNotRegistered(address)", [stranger]);
    });

    it("returns the details of each doctor of a page", async function () {
      await doctors.registerDoctor(doctor, NAME, SPECIALTY, LICENCE, { from: admin });
      await doctors.registerDoctor(otherDoctor, "Dr. Bob Nguyen", "Oncology", LICENCE, { from: admin });
      await doctors.deactivateDoctor(otherDoctor, { from: admin });

      const page = await doctors.getDoctors(0, 10);
      assert.deepEqual(page.accounts, [doctor, otherDoctor]);
      assert.strictEqual(page.doctors[0].name, NAME);
      assert.isTrue(page.doctors[0].active);
      assert.strictEqual(page.doctors[1].specialty, "Oncology");
      assert.isFalse(page.doctors[1].active, "deactivated doctors stay listed");
    });

    shouldBehaveLikePagedList(() => ({
      error: "DoctorContractPageOutOfRange(uint256,uint256)",
      fill: async () => {
        for (const account of [doctor, otherDoctor, thirdDoctor]) {
          await doctors.registerDoctor(account, NAME, SPECIALTY, LICENCE, { from: admin });
        }
        return [doctor, otherDoctor, thirdDoctor];
      },
      page: (offset, limit) =>
        doctors.getDoctors(offset, limit).then((page) => {
          assert.strictEqual(page.accounts.length, page.doctors.length);
          return page.accounts;
        }),
    }));
  });
});
