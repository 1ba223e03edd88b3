import pg from "pg";
import { bytesToBase64, encryptBytes, encryptJson, generateKeyPair, publicKeyToHex, randomDataKey, wrapKey, type KeyPair } from "@/lib/crypto";
import { stackUnderTest } from "../stack-env";

/** A test user's X25519 key pair with its 0x-hex public key (what the chain and the key store hold). */
export function testKeys(): KeyPair & { publicKeyHex: string } {
  const pair = generateKeyPair();
  return { ...pair, publicKeyHex: publicKeyToHex(pair.publicKey) };
}

/** A record encrypted as the browser does it: ciphertext, encrypted metadata, data key wrapped per reader. */
export async function encryptedRecord(plaintext: Uint8Array, readers: Array<{ address: string; publicKey: Uint8Array }>) {
  const dataKey = randomDataKey();
  return {
    dataKey,
    ciphertext: await encryptBytes(dataKey, plaintext),
    encryptedMetadata: bytesToBase64(encryptJson(dataKey, { title: "Test", fileName: "test.pdf" })),
    wrappedKeys: readers.map((reader) => ({ recipient: reader.address.toLowerCase(), wrappedKey: bytesToBase64(wrapKey(dataKey, reader.publicKey)) })),
  };
}

/** A direct connection to the test database, for checks the API does not expose. */
export async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: stackUnderTest().databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
