import assert from "node:assert/strict";
import { describe, it } from "node:test";
import ganache from "ganache";
import { Web3 } from "web3";
import { DEV_MNEMONIC } from "@/lib/config";
import { devAccounts, devAccountsBanner } from "@/scripts/stack/dev-accounts";

/** The accounts Ganache itself makes from a mnemonic, as `npm start`'s chain does (scripts/stack/chain.ts). */
function ganacheAccounts(mnemonic: string, count: number): Array<{ address: string; secretKey: string }> {
  const provider = ganache.provider({ wallet: { mnemonic, totalAccounts: count }, logging: { quiet: true } });
  return Object.entries(provider.getInitialAccounts()).map(([address, account]) => ({ address, secretKey: account.secretKey }));
}

describe("the test accounts npm start prints", () => {
  it("prints for account #0 a private key that controls account #0's address", () => {
    const [first] = devAccounts(DEV_MNEMONIC);
    const [chainFirst] = ganacheAccounts(DEV_MNEMONIC, 1);
    assert.equal(new Web3().eth.accounts.privateKeyToAccount(first!.privateKey).address, first!.address);
    assert.equal(first!.address.toLowerCase(), chainFirst!.address);
  });

  it("derives every listed account exactly as Ganache does, from the default and from another mnemonic", () => {
    const other = "test test test test test test test test test test test junk";
    for (const mnemonic of [DEV_MNEMONIC, other]) {
      const derived = devAccounts(mnemonic).map(({ address, privateKey }) => ({ address: address.toLowerCase(), secretKey: privateKey }));
      assert.deepEqual(derived, ganacheAccounts(mnemonic, 4));
    }
  });

  it("suggests admin, doctor, patient and a spare role for accounts #0 to #3", () => {
    assert.deepEqual(
      devAccounts(DEV_MNEMONIC).map(({ index, role }) => [index, role]),
      [[0, "admin"], [1, "doctor"], [2, "patient"], [3, "second patient or doctor"]],
    );
  });

  it("marks the default mnemonic's keys as public test keys", () => {
    const accounts = devAccounts(DEV_MNEMONIC);
    const banner = devAccountsBanner(DEV_MNEMONIC, accounts.map((a) => a.address.toLowerCase())).join("\n");
    for (const account of accounts) assert.ok(banner.includes(`#${account.index}  ${account.address}  ${account.role}: /`) && banner.includes(account.privateKey));
    assert.match(banner, /PUBLIC TEST KEYS/);
    assert.match(banner, /Never send real funds or enter real medical data/);
  });

  it("prints no key for an address the chain does not report", () => {
    const accounts = devAccounts(DEV_MNEMONIC);
    const chain = accounts.map((a) => a.address.toLowerCase());
    chain[1] = "0x0000000000000000000000000000000000000001";
    const banner = devAccountsBanner(DEV_MNEMONIC, chain).join("\n");
    assert.ok(!banner.includes(accounts[1]!.privateKey));
    assert.ok(banner.includes(accounts[0]!.privateKey));
    assert.deepEqual(devAccountsBanner(DEV_MNEMONIC, []), ["  Test accounts:  (their keys could not be derived from CHAIN_MNEMONIC; not shown)"]);
  });

  it("does not call another mnemonic's keys public but still warns", () => {
    const other = "test test test test test test test test test test test junk";
    const banner = devAccountsBanner(other, devAccounts(other).map((a) => a.address)).join("\n");
    assert.doesNotMatch(banner, /PUBLIC/);
    assert.match(banner, /TEST KEYS derived from CHAIN_MNEMONIC/);
  });
});
