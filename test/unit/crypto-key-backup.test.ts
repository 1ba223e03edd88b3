import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CryptoError,
  bytesToBase64,
  generateKeyPair,
  openSecretKey,
  parseKeyBackup,
  publicKeyToHex,
  sealSecretKey,
  type KeyBackup,
} from "../../lib/crypto";

// The lowest cost a backup may use, so these tests stay fast; one test covers the default.
const FAST = { N: 2 ** 14, r: 8, p: 1 };
const ADDRESS = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1";
const PASSPHRASE = "correct horse battery staple";
const keys = generateKeyPair();
const backup = await sealSecretKey(keys.secretKey, keys.publicKey, PASSPHRASE, {
  scrypt: FAST,
  address: ADDRESS,
});

async function openCode(value: unknown, passphrase = PASSPHRASE): Promise<string> {
  try {
    await openSecretKey(value, passphrase);
  } catch (error) {
    assert.ok(error instanceof CryptoError, `expected a CryptoError, got ${error}`);
    return error.code;
  }
  return "opened";
}

// A backup as a hostile or damaged file may hold it.
interface Editable {
  [field: string]: unknown;
  kdf: { [field: string]: unknown };
  nonce?: string;
  ciphertext: string;
  publicKey: string;
  address?: string;
}

function edited(change: (copy: Editable) => void): unknown {
  const copy: Editable = structuredClone(backup);
  change(copy);
  return copy;
}

describe("key backup", () => {
  it("round-trips through the backup file text", async () => {
    assert.deepEqual(Object.keys(backup).sort(), [
      "address",
      "ciphertext",
      "format",
      "kdf",
      "nonce",
      "publicKey",
      "version",
    ]);
    assert.equal(backup.format, "ehr-key-backup");
    assert.equal(backup.address, ADDRESS);
    assert.equal(backup.publicKey, publicKeyToHex(keys.publicKey));
    const restored = await openSecretKey(parseKeyBackup(JSON.stringify(backup, null, 2)), PASSPHRASE);
    assert.deepEqual(restored.secretKey, keys.secretKey);
    assert.deepEqual(restored.publicKey, keys.publicKey);
  });

  it("round-trips without an address", async () => {
    const plain = await sealSecretKey(keys.secretKey, keys.publicKey, PASSPHRASE, { scrypt: FAST });
    assert.equal("address" in plain, false);
    assert.deepEqual((await openSecretKey(plain, PASSPHRASE)).secretKey, keys.secretKey);
  });

  it("uses scrypt N=2^17, r=8, p=1 by default and reports progress", async () => {
    const progress: number[] = [];
    const sealed = await sealSecretKey(keys.secretKey, keys.publicKey, PASSPHRASE, {
      onProgress: (fraction) => progress.push(fraction),
    });
    assert.deepEqual(
      { N: sealed.kdf.N, r: sealed.kdf.r, p: sealed.kdf.p },
      { N: 131072, r: 8, p: 1 },
    );
    assert.ok(progress.length > 0 && progress.at(-1)! <= 1);
    assert.deepEqual((await openSecretKey(sealed, PASSPHRASE)).secretKey, keys.secretKey);
  });

  it("treats the passphrase as the same text whatever its Unicode normalisation", async () => {
    const sealed = await sealSecretKey(keys.secretKey, keys.publicKey, "caf\u00e9", { scrypt: FAST });
    assert.deepEqual((await openSecretKey(sealed, "cafe\u0301")).secretKey, keys.secretKey);
  });

  it("reports a wrong passphrase", async () => {
    assert.equal(await openCode(backup, "correct horse battery stapler"), "wrong-passphrase");
    assert.equal(await openCode(backup, ""), "wrong-passphrase");
  });

  it("cannot tell an edited salt, nonce or ciphertext from a wrong passphrase", async () => {
    const otherSalt = bytesToBase64(new Uint8Array(32));
    assert.equal(await openCode(edited((b) => (b.kdf.salt = otherSalt))), "wrong-passphrase");
    const otherNonce = bytesToBase64(new Uint8Array(24));
    assert.equal(await openCode(edited((b) => (b.nonce = otherNonce))), "wrong-passphrase");
    const flipped = edited((b) => {
      b.ciphertext = (b.ciphertext[0] === "A" ? "B" : "A") + b.ciphertext.slice(1);
    });
    assert.equal(await openCode(flipped), "wrong-passphrase");
  });

  it("reports a backup whose public key or address was edited as corrupt", async () => {
    const other = publicKeyToHex(generateKeyPair().publicKey);
    assert.equal(await openCode(edited((b) => (b.publicKey = other))), "corrupt-backup");
    const otherAddress = "0x0000000000000000000000000000000000000001";
    assert.equal(await openCode(edited((b) => (b.address = otherAddress))), "corrupt-backup");
    assert.equal(await openCode(edited((b) => delete b.address)), "corrupt-backup");
  });

  it("accepts the address in any hex case", async () => {
    const lower = edited((b) => (b.address = ADDRESS.toLowerCase()));
    assert.equal(await openCode(lower), "opened");
  });

  it("rejects a backup file that is not valid JSON", () => {
    const text = JSON.stringify(backup);
    for (const bad of ["", "not json", text.slice(0, -1), text.slice(0, text.length / 2)]) {
      assert.throws(() => parseKeyBackup(bad), { name: "CryptoError", code: "corrupt-backup" });
    }
  });

  const malformed: Array<[string, (b: Editable) => void]> = [
    ["an unknown field", (b) => (b.comment = "hi")],
    ["an unknown kdf field", (b) => (b.kdf.dkLen = 64)],
    ["another format", (b) => (b.format = "other")],
    ["a newer version", (b) => (b.version = 2)],
    ["another kdf", (b) => (b.kdf.name = "pbkdf2")],
    ["a missing nonce", (b) => delete b.nonce],
    ["a short nonce", (b) => (b.nonce = bytesToBase64(new Uint8Array(23)))],
    ["a short salt", (b) => (b.kdf.salt = bytesToBase64(new Uint8Array(8)))],
    ["a cut ciphertext", (b) => (b.ciphertext = b.ciphertext.slice(0, -4))],
    ["a ciphertext that is not base64", (b) => (b.ciphertext = `!${b.ciphertext.slice(1)}`)],
    ["a public key that is not hex", (b) => (b.publicKey = b.publicKey.slice(2))],
    ["a malformed address", (b) => (b.address = "0x1234")],
    ["a string N", (b) => (b.kdf.N = "16384")],
  ];
  for (const [name, change] of malformed) {
    it(`reports a backup with ${name} as corrupt`, async () => {
      const value = edited(change);
      assert.equal(await openCode(value), "corrupt-backup");
      assert.throws(() => parseKeyBackup(JSON.stringify(value)), { code: "corrupt-backup" });
    });
  }

  const hostile: Array<[string, Partial<KeyBackup["kdf"]>]> = [
    ["N above 2^20", { N: 2 ** 21, r: 1 }],
    ["an enormous N", { N: 2 ** 30 }],
    ["N below 2^14", { N: 2 ** 13 }],
    ["N not a power of two", { N: 3 * 2 ** 14 }],
    ["a fractional N", { N: 16384.5 }],
    ["r above 8", { r: 9 }],
    ["p above 4", { p: 5 }],
    ["a total cost above 8 times the default", { N: 2 ** 20, r: 8, p: 2 }],
  ];
  for (const [name, params] of hostile) {
    it(`refuses ${name} before running scrypt`, async () => {
      let progressed = false;
      const value = edited((b) => Object.assign(b.kdf, params));
      await assert.rejects(
        openSecretKey(value, PASSPHRASE, { onProgress: () => (progressed = true) }),
        { name: "CryptoError", code: "corrupt-backup" },
      );
      assert.equal(progressed, false);
    });
  }

  it("refuses to seal with costs it would refuse to open", async () => {
    for (const scrypt of [{ N: 2 ** 12, r: 8, p: 1 }, { N: 2 ** 21, r: 1, p: 1 }]) {
      await assert.rejects(sealSecretKey(keys.secretKey, keys.publicKey, PASSPHRASE, { scrypt }), {
        code: "invalid-input",
      });
    }
  });

  it("refuses to seal inconsistent or empty input", async () => {
    const other = generateKeyPair();
    const cases: Array<Promise<unknown>> = [
      sealSecretKey(keys.secretKey, other.publicKey, PASSPHRASE, { scrypt: FAST }),
      sealSecretKey(keys.secretKey, keys.publicKey, "", { scrypt: FAST }),
      sealSecretKey(keys.secretKey, keys.publicKey, PASSPHRASE, { scrypt: FAST, address: "0x12" }),
      sealSecretKey(new Uint8Array(31), keys.publicKey, PASSPHRASE, { scrypt: FAST }),
    ];
    for (const sealing of cases) await assert.rejects(sealing, { code: "invalid-input" });
  });
});
