// Deploys the doctor registry, then the patient contract bound to it.
// The deployer (accounts[0] on Ganache) becomes the first administrator of DoctorContract.
const DoctorContract = artifacts.require("DoctorContract");
const PatientContract = artifacts.require("PatientContract");

module.exports = async function (deployer) {
  await deployer.deploy(DoctorContract);
  const doctorContract = await DoctorContract.deployed();
  await deployer.deploy(PatientContract, doctorContract.address);
};
