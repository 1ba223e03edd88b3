import type { BrowserContext, Page } from "playwright-core";
import { testWalletScript } from "./wallet-page-script";

export interface TestWalletOptions {
  rpcUrl: string;
  account: string;
  /** The chain id the wallet claims to be on; differs from the node's to test "wrong network". */
  chainId?: number;
}

type RpcAnswer = { result?: unknown; error?: { code: number; message: string; data?: unknown } };

/**
 * The test process's side of the injected wallet: a Ganache account (unlocked, so Ganache signs),
 * "connected" only after eth_requestAccounts, and knobs to reject the next signature or transaction.
 */
export class TestWallet {
  connected = false;
  chainId: number | undefined;
  rejectNext: Set<string> = new Set();
  readonly requests: string[] = [];
  private pages = new Set<Page>();

  constructor(private readonly options: TestWalletOptions) {
    this.chainId = options.chainId;
  }

  async attach(context: BrowserContext): Promise<void> {
    await context.exposeFunction("__testWalletRpc", (method: string, params: unknown[]) => this.handle(method, params));
    await context.addInitScript({ content: testWalletScript({ uuid: "test-wallet", name: "Test Wallet", rdns: "org.ehr.test-wallet" }) });
    context.on("page", (page) => this.pages.add(page));
  }

  /** Switches the wallet to another account, as the user would in MetaMask. */
  async switchAccount(account: string): Promise<void> {
    this.options.account = account;
    await this.emit("accountsChanged", [account]);
  }

  async emit(event: string, payload: unknown): Promise<void> {
    for (const page of this.pages) {
      if (!page.isClosed()) await page.evaluate(`window.__testWalletEmit(${JSON.stringify(event)}, ${JSON.stringify(payload)})`);
    }
  }

  private async handle(method: string, params: unknown[]): Promise<RpcAnswer> {
    this.requests.push(method);
    if (this.rejectNext.delete(method)) return { error: { code: 4001, message: "User rejected the request." } };
    const account = this.options.account.toLowerCase();
    switch (method) {
      case "eth_requestAccounts":
        this.connected = true;
        return { result: [account] };
      case "eth_accounts":
        return { result: this.connected ? [account] : [] };
      case "eth_chainId":
        return this.chainId === undefined ? this.forward(method, params) : { result: `0x${this.chainId.toString(16)}` };
      case "wallet_switchEthereumChain": {
        const requested = Number.parseInt((params[0] as { chainId: string }).chainId, 16);
        this.chainId = requested;
        await this.emit("chainChanged", `0x${requested.toString(16)}`);
        return { result: null };
      }
      case "personal_sign":
        // Ganache has no personal_sign; its eth_sign(address, data) gives the same EIP-191 signature.
        return this.forward("eth_sign", [params[1], params[0]]);
      default:
        return this.forward(method, params);
    }
  }

  private async forward(method: string, params: unknown[]): Promise<RpcAnswer> {
    const response = await fetch(this.options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
    return body.error ? { error: body.error } : { result: body.result };
  }
}
