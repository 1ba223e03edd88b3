"use strict";

// `truffle test` runs migrations/ first; this checks what they deployed.
const DoctorContract = artifacts.require("DoctorContract");
const PatientContract = artifacts.require("PatientContract");

contract("migrations", function (accounts) {
  const [deployer] = accounts;

  it("deploys DoctorContract with the deployer as its first administrator", async function () {
    const doctors = await DoctorContract.deployed();
    assert.isTrue(await doctors.isAdmin(deployer));
    assert.strictEqual((await doctors.adminCount()).toString(), "1");
  });

  it("deploys PatientContract bound to the deployed DoctorContract", async function () {
    const doctors = await DoctorContract.deployed();
    const patients = await PatientContract.deployed();
    assert.strictEqual(await patients.doctorRegistry(), doctors.address);
  });

  it("deploys runtime code equal to the artifacts' deployedBytecode (no immutables)", async function () {
    for (const Contract of [DoctorContract, PatientContract]) {
      const instance = await Contract.deployed();
      const code = await web3.eth.getCode(instance.address);
      assert.strictEqual(code.toLowerCase(), Contract.deployedBytecode.toLowerCase(), Contract.contractName);
    }
  });
});
