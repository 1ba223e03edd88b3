import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { keccak256, toUtf8Bytes } from "ethers";
import { explainAdminError, licenceHash, newLicenceSalt, parseAddressInput, validateDoctorForm } from "../../lib/admin/client";
import { parseChainError } from "../../lib/chain/client";
import { authorLabel, patientOfRecord } from "../../lib/records/client/list";

// EIP-55's own test vector.
const CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

describe("parseAddressInput (EIP-55)", () => {
  const cases: Array<[string, string, string | RegExp]> = [
    ["accepts a correct checksum", CHECKSUMMED, CHECKSUMMED.toLowerCase()],
    ["accepts all lower case", CHECKSUMMED.toLowerCase(), CHECKSUMMED.toLowerCase()],
    ["accepts all upper case hex", `0x${CHECKSUMMED.slice(2).toUpperCase()}`, CHECKSUMMED.toLowerCase()],
    ["trims spaces", `  ${CHECKSUMMED}  `, CHECKSUMMED.toLowerCase()],
    ["refuses a wrong mixed-case checksum", CHECKSUMMED.slice(0, -1) + "D", /checksum/],
    ["refuses a short address", "0x1234", /40 hexadecimal/],
    ["refuses a missing 0x", CHECKSUMMED.slice(2), /40 hexadecimal/],
    ["refuses the zero address", `0x${"0".repeat(40)}`, /zero address/],
    ["refuses an empty field", "", /Enter/],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const result = parseAddressInput(input);
      if (typeof expected === "string") assert.deepEqual(result, { ok: true, address: expected });
      else {
        assert.equal(result.ok, false);
        assert.match((result as { message: string }).message, expected);
      }
    });
  }
});

describe("licence hash", () => {
  it("is sha256(salt || utf8(trimmed licence)) as bytes32", () => {
    const salt = newLicenceSalt();
    assert.match(salt, /^0x[0-9a-f]{64}$/);
    const expected = createHash("sha256").update(Buffer.from(salt.slice(2), "hex")).update(Buffer.from("LIC-ÄÖ-1", "utf8")).digest("hex");
    assert.equal(licenceHash(salt, "  LIC-ÄÖ-1 "), `0x${expected}`);
  });
  it("makes a new salt each time, so equal licences hash apart", () => {
    assert.notEqual(licenceHash(newLicenceSalt(), "X"), licenceHash(newLicenceSalt(), "X"));
  });
  it("refuses a malformed salt", () => assert.throws(() => licenceHash("0x12", "X")));
});

describe("validateDoctorForm", () => {
  it("names every missing field", () => {
    assert.deepEqual(Object.keys(validateDoctorForm({ address: "", name: " ", specialty: "", licence: "" })).sort(), ["address", "licence", "name", "specialty"]);
  });
  it("counts the name's length in UTF-8 bytes, as the contract does", () => {
    assert.ok(validateDoctorForm({ address: CHECKSUMMED, name: "é".repeat(51), specialty: "GP", licence: "1" }).name);
    assert.deepEqual(validateDoctorForm({ address: CHECKSUMMED, name: "é".repeat(50), specialty: "GP", licence: "1" }), {});
  });
});

describe("authorLabel", () => {
  const patient = "0x00000000000000000000000000000000000000aa";
  const doctor = "0x00000000000000000000000000000000000000bb";
  const recordId = ((BigInt(patient) << 96n) | 3n).toString();
  it("finds the patient in the record id", () => assert.equal(patientOfRecord(recordId), patient));
  it("says nothing to a patient about their own record", () => assert.equal(authorLabel({ recordId, author: patient }, patient), undefined));
  it("names the doctor who added a patient's record", () => assert.equal(authorLabel({ recordId, author: doctor }, patient), `Added by doctor ${doctor}`));
  it("tells a doctor who added it", () => {
    assert.equal(authorLabel({ recordId, author: patient }, doctor), "Added by the patient");
    assert.equal(authorLabel({ recordId, author: doctor }, doctor), "Added by you");
  });
});

describe("explainAdminError on a contract refusal", () => {
  // Revert data as the chain returns it: the 4-byte selector (first bytes of keccak256 of the signature),
  // then the ABI-encoded arguments; nested as web3 nests a wallet's error.
  const revert = (signature: string, address: string) =>
    keccak256(toUtf8Bytes(signature)).slice(0, 10) + address.slice(2).toLowerCase().padStart(64, "0");
  const walletError = (data: string) => ({ message: "Error happened while trying to execute a function inside a smart contract", code: 310, cause: { code: -32000, message: "revert", data } });

  it("names the custom error with its argument and says what it means", () => {
    const error = parseChainError(walletError(revert("DoctorContractAlreadyRegistered(address)", CHECKSUMMED)), { mayBeOnChain: false });
    assert.deepEqual([error.kind, error.errorName], ["reverted", "DoctorContractAlreadyRegistered"]);
    assert.equal(
      explainAdminError(error),
      `This address is already registered as a doctor (a deactivated doctor is reactivated, not registered again). (DoctorContractAlreadyRegistered(${CHECKSUMMED}))`,
    );
  });

  it("an unknown selector is not taken for one of ours", () => {
    const error = parseChainError(walletError(revert("SomethingElse(address)", CHECKSUMMED)));
    assert.deepEqual([error.kind, error.errorName], ["failed", undefined]);
  });
});
