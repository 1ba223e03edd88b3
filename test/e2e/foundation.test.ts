import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { DEV_MNEMONIC } from "@/lib/config";
import { startChain } from "@/scripts/stack/chain";
import { freePort } from "@/scripts/stack/ports";
import { launchChromium } from "../support/browser";
import { stackUnderTest } from "../support/stack-env";
import { TestWallet } from "../support/test-wallet";

const stack = stackUnderTest();
let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function openWithWallet(wallet: TestWallet | undefined, path = "/"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  if (wallet) await wallet.attach(context);
  const page = await context.newPage();
  await page.goto(new URL(path, stack.appUrl).toString());
  return { context, page };
}

const walletStatus = (page: Page) => page.getByTestId("wallet-status");

describe("home page and wallet", () => {
  it("renders the explanation and the three portals", async () => {
    const { context, page } = await openWithWallet(undefined);
    await page.getByRole("heading", { level: 1, name: /your health records/i }).waitFor();
    for (const name of ["Open or sign up", "Doctor portal", "Admin dashboard"]) {
      assert.equal(await page.getByRole("link", { name }).count(), 1, `link "${name}"`);
    }
    await context.close();
  });

  it("says no wallet was found when the browser has none", async () => {
    const { context, page } = await openWithWallet(undefined);
    await page.locator('[data-testid="wallet-status"][data-status="no-wallet"]').waitFor();
    assert.match(await walletStatus(page).innerText(), /no wallet found/i);
    await context.close();
  });

  it("connects the injected wallet and becomes ready on the configured chain", async () => {
    const wallet = new TestWallet({ rpcUrl: stack.rpcUrl, account: stack.accounts[1]! });
    const { context, page } = await openWithWallet(wallet, "/patient");
    await page.locator('[data-testid="wallet-status"][data-status="disconnected"]').waitFor();
    await page.getByTestId("wallet-gate").getByRole("button", { name: "Connect wallet" }).click();
    await page.locator('[data-testid="wallet-status"][data-status="ready"]').waitFor();
    // A ready wallet leads on to Sign-In with Ethereum for that account.
    assert.match(await page.getByTestId("sign-in").innerText(), new RegExp(stack.accounts[1]!.toLowerCase()));
    assert.ok(wallet.requests.includes("eth_requestAccounts"));
    await context.close();
  });

  it("asks to switch a wallet on the wrong network, then becomes ready", async () => {
    const wallet = new TestWallet({ rpcUrl: stack.rpcUrl, account: stack.accounts[2]!, chainId: 1 });
    wallet.connected = true;
    const { context, page } = await openWithWallet(wallet, "/doctor");
    await page.locator('[data-testid="wallet-status"][data-status="wrong-network"]').waitFor();
    assert.match(await page.getByTestId("wallet-gate").innerText(), /chain 1\b.*chain id 1337/s);
    await page.getByRole("button", { name: /switch to/i }).click();
    await page.locator('[data-testid="wallet-status"][data-status="ready"]').waitFor();
    assert.equal(wallet.chainId, stack.chainId);
    await context.close();
  });

  it("says the contracts are not deployed when the wallet's chain has none", async () => {
    // A second, empty chain with the same chain id: what a wallet sees after the chain was reset.
    const emptyChain = await startChain({ port: await freePort(), chainId: stack.chainId, mnemonic: DEV_MNEMONIC });
    try {
      const wallet = new TestWallet({ rpcUrl: emptyChain.rpcUrl, account: emptyChain.accounts[1]! });
      wallet.connected = true;
      const { context, page } = await openWithWallet(wallet, "/patient");
      await page.locator('[data-testid="wallet-status"][data-status="no-contracts"]').waitFor();
      assert.match(await page.getByTestId("wallet-gate").innerText(), /Contracts not deployed.*npm start/s);
      await context.close();
    } finally {
      await emptyChain.close();
    }
  });

  it("explains a declined connection request", async () => {
    const wallet = new TestWallet({ rpcUrl: stack.rpcUrl, account: stack.accounts[3]! });
    wallet.rejectNext.add("eth_requestAccounts");
    const { context, page } = await openWithWallet(wallet, "/patient");
    await page.getByTestId("wallet-gate").getByRole("button", { name: "Connect wallet" }).click();
    await page.getByRole("alert").filter({ hasText: "declined" }).waitFor();
    assert.equal(await walletStatus(page).getAttribute("data-status"), "disconnected");
    await context.close();
  });
});

describe("admin dashboard", () => {
  it("shows every part of the system as up", async () => {
    const { context, page } = await openWithWallet(undefined, "/admin");
    await page.locator('[data-testid="health-overall"][data-ok="true"]').waitFor();
    for (const part of ["chain", "database", "ipfs"]) {
      assert.equal(await page.getByTestId(`health-${part}`).getAttribute("data-ok"), "true", part);
    }
    assert.match(await page.getByTestId("health-chain").innerText(), /PatientContract: 0x[0-9a-fA-F]{40}/);
    await context.close();
  });
});
