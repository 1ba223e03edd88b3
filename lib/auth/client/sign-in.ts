import { nonceResponseSchema, sessionResponseSchema, type SessionResponse } from "@/lib/api/schemas";
import type { Eip1193Provider } from "@/lib/wallet";
import { authRequestError } from "./auth-error";
import { buildSignInMessage, utf8ToHex } from "./siwe-message";

/** How long the signed message may be presented (the session itself lasts longer). */
export const SIGN_IN_MESSAGE_TTL_MS = 10 * 60 * 1000;

export interface SignInOptions {
  /** The account to sign in; default: the wallet's first connected account. */
  address?: string;
  /** Default: the wallet's current chain (eth_chainId); the server accepts only its CHAIN_ID. */
  chainId?: number;
  statement?: string;
  /** Default window.location; tests pass the app's URL. */
  origin?: string;
  fetch?: typeof fetch;
}

/**
 * Sign-In with Ethereum: fetches a nonce, asks the wallet to personal_sign an EIP-4361 message for this
 * site, and posts it; the server sets an HttpOnly session cookie. Wallet errors (4001 = the user said no)
 * are rethrown as they are; server refusals throw AuthRequestError (status, code, message).
 */
export async function signIn(provider: Eip1193Provider, options: SignInOptions = {}): Promise<SessionResponse> {
  const fetchImpl = options.fetch ?? fetch;
  const origin = new URL(options.origin ?? window.location.origin);
  const address = options.address ?? (await firstAccount(provider));
  const chainId = options.chainId ?? Number.parseInt(String(await provider.request({ method: "eth_chainId" })), 16);

  const nonceResponse = await fetchImpl(new URL("/api/auth/nonce", origin), { credentials: "same-origin", cache: "no-store" });
  if (!nonceResponse.ok) throw await authRequestError(nonceResponse);
  const { nonce } = nonceResponseSchema.parse(await nonceResponse.json());

  const issuedAt = new Date();
  const message = buildSignInMessage({
    domain: origin.host,
    uri: origin.origin,
    address,
    chainId,
    nonce,
    issuedAt,
    expirationTime: new Date(issuedAt.getTime() + SIGN_IN_MESSAGE_TTL_MS),
    statement: options.statement,
  });
  const signature = String(await provider.request({ method: "personal_sign", params: [utf8ToHex(message), address] }));

  const verifyResponse = await fetchImpl(new URL("/api/auth/verify", origin), {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, signature }),
  });
  if (!verifyResponse.ok) throw await authRequestError(verifyResponse);
  return sessionResponseSchema.parse(await verifyResponse.json());
}

async function firstAccount(provider: Eip1193Provider): Promise<string> {
  const accounts = (await provider.request({ method: "eth_accounts" })) as unknown;
  const first = Array.isArray(accounts) ? accounts[0] : undefined;
  if (typeof first !== "string") throw new Error("No wallet account is connected.");
  return first;
}
