/**
 * No plaintext PHI on chain, checked after every browser journey (this file's name sorts last in
 * `test/e2e/*.test.ts`, which `npm run test:stack` runs one file at a time in that order).
 *
 * The markers are the personal data the journeys type or upload, read from their sources: PDF texts
 * (makePdf), record titles, hospitals, reasons and notes, every `.fill("...")` value (names, licence numbers,
 * passphrases, dates), string constants and PDF file names. Doctors' names and specialties are public registry
 * data by design (DoctorRegistered), so a marker found inside one of them is left out.
 *
 * Scanned, case-insensitively as UTF-8 bytes: the input of every transaction of every block, every log (topics and
 * data), and every storage slot of both contracts at the end (debug_storageRangeAt). Intermediate values of a
 * slot written twice are not read back, but the contracts compute no text: anything they ever stored came from a
 * transaction input, which is scanned whole.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { eth } from "web3";
import { stackUnderTest } from "../support/stack-env";

const stack = stackUnderTest();
const E2E_DIR = path.dirname(new URL(import.meta.url).pathname);
const MIN_MARKER_BYTES = 6;
const SELF = "zz-no-phi-on-chain.test.ts";
const RECORD_ADDED = eth.abi.encodeEventSignature("RecordAdded(address,address,uint256,bytes32,uint64,uint64)").toLowerCase();
const DOCTOR_REGISTERED = eth.abi.encodeEventSignature("DoctorRegistered(address,address,string,string,bytes32)").toLowerCase();

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(stack.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** The personal data the browser journeys use, from their sources. */
async function markersFromJourneys(): Promise<Map<string, string>> {
  const markers = new Map<string, string>(); // marker -> where it was found
  const patterns = [
    /makePdf\(\s*"([^"]+)"/g,
    /\b(?:title|hospital|reason|note|notes|fullName)\s*:\s*"([^"]+)"/g,
    /\.fill\(\s*"([^"]+)"\s*\)/g,
    /\bconst\s+[A-Z][A-Z0-9_]*\s*=\s*"([^"]+)"/g,
    /"([\w. -]+\.pdf)"/g,
  ];
  const files = (await readdir(E2E_DIR)).filter((file) => file.endsWith(".test.ts") && file !== SELF);
  for (const file of files) {
    const source = await readFile(path.join(E2E_DIR, file), "utf8");
    for (const pattern of patterns) {
      for (const match of source.matchAll(pattern)) {
        const text = match[1]!.trim();
        if (Buffer.byteLength(text) < MIN_MARKER_BYTES || /^0x[0-9a-f]*$/i.test(text)) continue;
        if (!markers.has(text)) markers.set(text, file);
      }
    }
  }
  return markers;
}

interface Block {
  hash: string;
  transactions: { hash: string; input: string; to: string | null }[];
}
interface Receipt {
  contractAddress: string | null;
  logs: { address: string; topics: string[]; data: string }[];
}

const asciiLower = (bytes: Buffer) => Buffer.from(bytes.map((byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte)));
const bytesOf = (hex: string) => Buffer.from(hex.replace(/^0x/, ""), "hex");

/** Every marker found in `hex`, case-insensitively. */
function find(hex: string, needles: readonly { marker: string; bytes: Buffer }[]): string[] {
  const haystack = asciiLower(bytesOf(hex));
  return needles.filter(({ bytes }) => haystack.includes(bytes)).map(({ marker }) => marker);
}

/** Every storage slot value of `address` at the state of `blockHash` after its first transaction. */
async function storageOf(blockHash: string, address: string): Promise<string[]> {
  const values: string[] = [];
  let start: string | null = "0x" + "00".repeat(32);
  while (start !== null) {
    const range: { storage: Record<string, { key: string | null; value: string }>; nextKey: string | null } = await rpc("debug_storageRangeAt", [
      blockHash,
      0,
      address,
      start,
      1024,
    ]);
    for (const entry of Object.values(range.storage)) values.push(entry.value);
    start = range.nextKey;
  }
  return values;
}

describe("no plaintext PHI on chain after the browser journeys", () => {
  it("finds no marker in any transaction input, log or storage slot", async (t) => {
    const latest = Number(BigInt(await rpc<string>("eth_blockNumber")));
    const inputs: { where: string; hex: string }[] = [];
    const logs: { where: string; hex: string }[] = [];
    const contracts = new Set<string>();
    const registry: string[] = []; // DoctorRegistered names and specialties: public by design
    let recordsAdded = 0;

    for (let number = 0; number <= latest; number++) {
      const block = await rpc<Block>("eth_getBlockByNumber", ["0x" + number.toString(16), true]);
      for (const tx of block.transactions) {
        inputs.push({ where: `tx ${tx.hash} (block ${number})`, hex: tx.input });
        const receipt = await rpc<Receipt>("eth_getTransactionReceipt", [tx.hash]);
        if (receipt.contractAddress) contracts.add(receipt.contractAddress.toLowerCase());
        for (const [i, log] of receipt.logs.entries()) {
          contracts.add(log.address.toLowerCase());
          logs.push({ where: `log ${i} of tx ${tx.hash}`, hex: "0x" + [...log.topics, log.data].map((part) => part.replace(/^0x/, "")).join("") });
          if (log.topics[0]?.toLowerCase() === RECORD_ADDED) recordsAdded += 1;
          if (log.topics[0]?.toLowerCase() === DOCTOR_REGISTERED) {
            const decoded = eth.abi.decodeParameters(["string", "string", "bytes32"], log.data);
            registry.push(String(decoded[0]).toLowerCase(), String(decoded[1]).toLowerCase());
          }
        }
      }
    }
    if (recordsAdded === 0) {
      t.skip("no record on this chain: run it after the browser journeys (npm run test:stack)");
      return;
    }

    const all = await markersFromJourneys();
    const needles = [...all.keys()]
      .filter((marker) => !registry.some((entry) => entry.includes(marker.toLowerCase())))
      .map((marker) => ({ marker, bytes: asciiLower(Buffer.from(marker, "utf8")) }));
    assert.ok(needles.length >= 20, `only ${needles.length} markers found in the journeys' sources`);

    // The storage of every contract that emitted a log or was created, read after one more (harmless) block.
    const [from] = stack.accounts;
    const txHash = await rpc<string>("eth_sendTransaction", [{ from, to: from, value: "0x0" }]);
    let receiptBlock: string | undefined;
    for (let tries = 0; tries < 50 && !receiptBlock; tries++) {
      const receipt = await rpc<{ blockHash: string } | null>("eth_getTransactionReceipt", [txHash]);
      receiptBlock = receipt?.blockHash;
      if (!receiptBlock) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(receiptBlock, "the probe transaction was not mined");
    const slots: { where: string; hex: string }[] = [];
    for (const address of contracts) {
      for (const [i, value] of (await storageOf(receiptBlock, address)).entries()) slots.push({ where: `storage of ${address} (#${i})`, hex: value });
    }

    // Positive control: the scan does find public text that is on chain (a registered doctor's name in its log).
    const publicName = registry.find((entry) => Buffer.byteLength(entry) >= MIN_MARKER_BYTES);
    if (publicName) {
      const control = [{ marker: publicName, bytes: asciiLower(Buffer.from(publicName, "utf8")) }];
      assert.ok(logs.some(({ hex }) => find(hex, control).length > 0), `the scan does not find the public name "${publicName}"`);
    }

    const found: string[] = [];
    for (const { where, hex } of [...inputs, ...logs, ...slots]) {
      for (const marker of find(hex, needles)) found.push(`"${marker}" (from ${all.get(marker)}) in ${where}`);
    }
    t.diagnostic(
      `${needles.length} markers, ${inputs.length} transaction inputs, ${logs.length} logs, ${slots.length} storage slots of ${contracts.size} contracts, ${recordsAdded} records; ${registry.length / 2} doctors' public registry entries left out`,
    );
    assert.deepEqual(found, [], "plaintext personal data on chain");
  });
});
