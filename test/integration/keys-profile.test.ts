import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { registerDoctor, registerPatient } from "../support/api/chain";
import { testKeys } from "../support/api/fixtures";

const stack = stackUnderTest();
const [admin, , , patientAccount, doctorAccount, , , , , strangerAccount] = stack.accounts as string[];
const patient = patientAccount!.toLowerCase();
const doctor = doctorAccount!.toLowerCase();
const patientKeys = testKeys();
const doctorKeys = testKeys();
const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });

let paula: ApiClient;
let dan: ApiClient;
let stan: ApiClient;

before(async () => {
  await registerPatient(patientAccount!, patientKeys.publicKeyHex);
  await registerDoctor(admin!, doctorAccount!, doctorKeys.publicKeyHex);
  paula = await signedInClient(patientAccount!);
  dan = await signedInClient(doctorAccount!);
  stan = await signedInClient(strangerAccount!);
});

describe("PUT /api/keys/me and GET /api/keys/:address", () => {
  it("stores a patient's key only when it is the one on chain, then serves it publicly", async () => {
    const wrong = await paula.put("/api/keys/me", { json: { publicKey: testKeys().publicKeyHex } });
    assert.deepEqual([wrong.status, wrong.body], [
      422,
      error("invalid_input", "This key is not the encryption key the chain holds for your account.", [{ path: "publicKey", message: "does not match the key on chain" }]),
    ]);
    const before = await new ApiClient().get(`/api/keys/${patient}`);
    assert.deepEqual([before.status, before.body], [404, error("not_found", `No encryption key is stored for ${patient}.`)]);

    const put = await paula.put("/api/keys/me", { json: { publicKey: patientKeys.publicKeyHex.toUpperCase().replace("0X", "0x") } });
    assert.deepEqual([put.status, put.body], [200, { address: patient, publicKey: patientKeys.publicKeyHex }]);
    const get = await new ApiClient().get(`/api/keys/${patientAccount}`);
    assert.deepEqual([get.status, get.body], [200, { address: patient, publicKey: patientKeys.publicKeyHex }]);
  });

  it("stores a doctor's key checked against DoctorContract", async () => {
    const put = await dan.put("/api/keys/me", { json: { publicKey: doctorKeys.publicKeyHex } });
    assert.deepEqual([put.status, put.body], [200, { address: doctor, publicKey: doctorKeys.publicKeyHex }]);
  });

  const cases: Array<{ name: string; client: () => ApiClient; body: unknown; status: number; expected: unknown }> = [
    {
      name: "an account with no key on chain",
      client: () => stan,
      body: { publicKey: testKeys().publicKeyHex },
      status: 422,
      expected: error("invalid_input", "Your account has no encryption key on chain: register (or publish your key) first.", [
        { path: "publicKey", message: "no key on chain for this account" },
      ]),
    },
    {
      name: "a malformed key",
      client: () => paula,
      body: { publicKey: "0x1234" },
      status: 422,
      expected: error("invalid_input", "The request body is invalid.", [{ path: "publicKey", message: "must be a 0x-prefixed 32-byte hex key" }]),
    },
    {
      name: "an address field (identity comes from the session only)",
      client: () => stan,
      body: { publicKey: patientKeys.publicKeyHex, address: patient },
      status: 422,
      expected: error("invalid_input", "The request body is invalid.", [{ path: "", message: 'Unrecognized key: "address"' }]),
    },
    { name: "no session", client: () => new ApiClient(), body: { publicKey: patientKeys.publicKeyHex }, status: 401, expected: error("unauthenticated", "Sign in with your wallet first.") },
  ];
  for (const row of cases) {
    it(`PUT answers ${row.status} for ${row.name}`, async () => {
      const answer = await row.client().put("/api/keys/me", { json: row.body });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected]);
    });
  }

  it("GET answers 422 for a malformed address", async () => {
    const answer = await new ApiClient().get("/api/keys/0xnothex");
    assert.deepEqual([answer.status, answer.body], [422, error("invalid_input", "The address is invalid.", [{ path: "", message: "must be a 0x-prefixed 20-byte hex address" }])]);
  });
});

describe("PUT and GET /api/profile", () => {
  const profile = { encryptedProfile: Buffer.from("ciphertext of a profile").toString("base64"), wrappedKey: Buffer.alloc(81, 3).toString("base64") };

  it("answers 404 before a profile exists, then round-trips it, per account", async () => {
    const none = await paula.get("/api/profile");
    assert.deepEqual([none.status, none.body], [404, error("not_found", "You have no profile yet.")]);
    const put = await paula.put("/api/profile", { json: profile });
    assert.deepEqual([put.status, put.body], [200, profile]);
    const get = await paula.get("/api/profile");
    assert.deepEqual([get.status, get.body], [200, profile]);
    const someoneElse = await dan.get("/api/profile");
    assert.equal(someoneElse.status, 404);
  });

  const cases: Array<{ name: string; client: () => ApiClient; body: unknown; status: number; expected: unknown }> = [
    {
      name: "an unknown field",
      client: () => paula,
      body: { ...profile, name: "Jane Doe" },
      status: 422,
      expected: error("invalid_input", "The request body is invalid.", [{ path: "", message: 'Unrecognized key: "name"' }]),
    },
    {
      name: "a profile that is not base64",
      client: () => paula,
      body: { ...profile, encryptedProfile: "Jane Doe, born 1970" },
      status: 422,
      expected: error("invalid_input", "The request body is invalid.", [{ path: "encryptedProfile", message: "must be base64" }]),
    },
    { name: "no session", client: () => new ApiClient(), body: profile, status: 401, expected: error("unauthenticated", "Sign in with your wallet first.") },
  ];
  for (const row of cases) {
    it(`PUT answers ${row.status} for ${row.name}`, async () => {
      const answer = await row.client().put("/api/profile", { json: row.body });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected]);
    });
  }
});
