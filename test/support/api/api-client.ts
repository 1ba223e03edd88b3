import { buildSignInMessage, SIGN_IN_MESSAGE_TTL_MS, utf8ToHexForTests } from "./siwe";
import { stackUnderTest } from "../stack-env";

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty / non-JSON body. */
  body: unknown;
}

export interface RequestOptions {
  json?: unknown;
  body?: BodyInit | Uint8Array;
  headers?: Record<string, string>;
}

/** A tiny HTTP client for the app under test that keeps the session cookie like a browser would. */
export class ApiClient {
  cookie: string | undefined;

  constructor(readonly baseUrl = stackUnderTest().appUrl) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    let body = options.body as BodyInit | undefined;
    if (options.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.json);
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: "manual" });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** Raw fetch with the session cookie (for binary bodies and answers). */
  fetch(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("cookie", this.cookie);
    return fetch(new URL(path, this.baseUrl), { ...init, method, headers });
  }

  get = (path: string, options?: RequestOptions) => this.request("GET", path, options);
  post = (path: string, options?: RequestOptions) => this.request("POST", path, options);
  put = (path: string, options?: RequestOptions) => this.request("PUT", path, options);
  delete = (path: string, options?: RequestOptions) => this.request("DELETE", path, options);

  /** Fresh nonce from the app. */
  async nonce(): Promise<string> {
    const answer = await this.get("/api/auth/nonce");
    return (answer.body as { nonce: string }).nonce;
  }

  /** Signs in `account` (a Ganache account) with a correct SIWE message; keeps the cookie. */
  async signIn(account: string): Promise<ApiAnswer> {
    const message = signInMessage({ address: account, nonce: await this.nonce(), baseUrl: this.baseUrl });
    const answer = await this.post("/api/auth/verify", { json: { message, signature: await ganacheSign(account, message) } });
    const setCookie = answer.headers.get("set-cookie");
    if (answer.status === 200 && setCookie) this.cookie = setCookie.split(";")[0];
    return answer;
  }
}

export interface MessageOverrides {
  address: string;
  nonce: string;
  baseUrl?: string;
  domain?: string;
  uri?: string;
  chainId?: number;
  issuedAt?: Date;
  expirationTime?: Date;
}

/** A SIWE message as the browser helper builds it, with any field overridden. */
export function signInMessage(fields: MessageOverrides): string {
  const base = new URL(fields.baseUrl ?? stackUnderTest().appUrl);
  const issuedAt = fields.issuedAt ?? new Date();
  return buildSignInMessage({
    domain: fields.domain ?? base.host,
    uri: fields.uri ?? base.origin,
    address: fields.address,
    chainId: fields.chainId ?? stackUnderTest().chainId,
    nonce: fields.nonce,
    issuedAt,
    expirationTime: fields.expirationTime ?? new Date(issuedAt.getTime() + SIGN_IN_MESSAGE_TTL_MS),
  });
}

/** Ganache has no personal_sign; eth_sign(address, hexData) gives the same EIP-191 signature. */
export async function ganacheSign(account: string, message: string): Promise<string> {
  return (await rpc("eth_sign", [account, utf8ToHexForTests(message)])) as string;
}

export async function rpc(method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(stackUnderTest().rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** A client already signed in as `account`. */
export async function signedInClient(account: string): Promise<ApiClient> {
  const client = new ApiClient();
  const answer = await client.signIn(account);
  if (answer.status !== 200) throw new Error(`sign-in of ${account} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return client;
}
