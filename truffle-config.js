// Truffle configuration. CommonJS on purpose: Truffle loads it with require().
// The compiler is the pinned `solc` npm package, so nothing is downloaded.
const path = require("node:path");

const CHAIN_ID = 1337;

// Read ./.env as `npm start` does (scripts/load-dotenv.ts), so `npm run deploy:production` and the compile step
// after it see the same RPC_URL, CHAIN_ID and DEPLOYER_* settings. The real environment wins.
const dotenv = path.join(__dirname, ".env");
if (require("node:fs").existsSync(dotenv)) {
  const before = { ...process.env };
  process.loadEnvFile(dotenv);
  Object.assign(process.env, before);
}

/** One in-process Ganache per `truffle test` run: Truffle calls provider() more than once. */
let testProvider;

/** @returns {import("@truffle/hdwallet-provider").default} */
function productionProvider() {
  const HDWalletProvider = require("@truffle/hdwallet-provider");
  const url = process.env.RPC_URL;
  if (!url) throw new Error("RPC_URL is required for the production network");
  const mnemonic = process.env.DEPLOYER_MNEMONIC;
  const privateKey = process.env.DEPLOYER_PRIVATE_KEY;
  if (!mnemonic && !privateKey) {
    throw new Error("Set DEPLOYER_MNEMONIC or DEPLOYER_PRIVATE_KEY to sign migrations on the production network");
  }
  return new HDWalletProvider(
    mnemonic ? { mnemonic: { phrase: mnemonic }, providerOrUrl: url } : { privateKeys: [privateKey], providerOrUrl: url },
  );
}

module.exports = {
  contracts_directory: path.join(__dirname, "contracts"),
  contracts_build_directory: path.join(__dirname, "build", "contracts"),
  migrations_directory: path.join(__dirname, "migrations"),
  test_directory: path.join(__dirname, "test", "contracts"),

  networks: {
    // `truffle test --network test`: a fresh Ganache inside the test process, nothing to start first.
    test: {
      provider: () =>
        (testProvider ??= require("ganache").provider({
          chain: { chainId: CHAIN_ID, networkId: CHAIN_ID },
          wallet: { deterministic: true, totalAccounts: 10, defaultBalance: 1000 },
          logging: { quiet: true },
        })),
      network_id: CHAIN_ID,
    },
    // The embedded Ganache that `npm start` runs (scripts/stack).
    development: {
      host: process.env.CHAIN_HOST || "127.0.0.1",
      port: Number(process.env.CHAIN_PORT || 8545),
      network_id: CHAIN_ID,
    },
    // A permissioned network run by the hospitals (e.g. Besu/QBFT) or a public testnet.
    production: {
      provider: productionProvider,
      network_id: process.env.NETWORK_ID || "*",
      confirmations: Number(process.env.DEPLOY_CONFIRMATIONS || 1),
      timeoutBlocks: 200,
      skipDryRun: true,
    },
  },

  compilers: {
    solc: {
      // A folder path makes Truffle load this solc-js build instead of downloading one.
      version: path.dirname(require.resolve("solc/package.json")),
      settings: {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: "paris",
      },
    },
  },
};
