// Chain helpers for the contract tests: block time, time travel, record ids, sample values.
"use strict";

const crypto = require("node:crypto");

const CODEC_RAW = 0x55;
const CODEC_DAG_PB = 0x70;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const ZERO_BYTES32 = `0x${"00".repeat(32)}`;

function rpc(method, params = []) {
  return new Promise((resolve, reject) => {
    web3.currentProvider.send({ jsonrpc: "2.0", id: Date.now(), method, params }, (error, response) => {
      if (error) reject(error);
      else if (response.error) reject(new Error(response.error.message));
      else resolve(response.result);
    });
  });
}

/** The timestamp of the latest block. */
async function latestTime() {
  const block = await web3.eth.getBlock("latest");
  return Number(block.timestamp);
}

/** The timestamp of the block that mined `result` (a Truffle transaction result). */
async function blockTimeOf(result) {
  const block = await web3.eth.getBlock(result.receipt.blockNumber);
  return Number(block.timestamp);
}

/** Moves the chain clock forward by `seconds` and mines a block. */
async function increaseTime(seconds) {
  await rpc("evm_increaseTime", [seconds]);
  await rpc("evm_mine", []);
}

/** `(uint256(uint160(patient)) << 96) | index`, as a decimal string. */
function recordIdOf(patient, index) {
  return ((BigInt(patient) << 96n) | BigInt(index)).toString();
}

/** A deterministic 32-byte value, e.g. a CID digest or a key, from a label. */
function bytes32Of(label) {
  return `0x${crypto.createHash("sha256").update(label).digest("hex")}`;
}

module.exports = {
  CODEC_RAW,
  CODEC_DAG_PB,
  ZERO_ADDRESS,
  ZERO_BYTES32,
  latestTime,
  blockTimeOf,
  increaseTime,
  recordIdOf,
  bytes32Of,
};
