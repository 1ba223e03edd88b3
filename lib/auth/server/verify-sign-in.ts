import "server-only";
import { SiweMessage } from "siwe";
import { ApiError } from "@/lib/api";
import { getEnv } from "@/lib/config";
import { consumeSignInNonce } from "./nonces";
import { expectedOrigin } from "./origin";
import { createSession, endSession, type Session } from "./sessions";

/** How far a wallet's clock may run ahead of ours for `Issued At`. */
const CLOCK_SKEW_MS = 60 * 1000;
/** Longest sign-in message lifetime we accept (the browser asks for ~10 min). */
const MAX_MESSAGE_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Why a sign-in was refused, in the 401's `details.reason` (the message is for people, this is for code). */
export type SignInRefusal =
  | "no_expiration"
  | "issued_in_future"
  | "lifetime_too_long"
  | "domain_mismatch"
  | "expired"
  | "not_yet_valid"
  | "signature_mismatch"
  | "uri_mismatch"
  | "chain_mismatch"
  | "nonce_invalid";

const refused = (reason: SignInRefusal, message: string) => new ApiError("unauthenticated", message, { reason });

function parseMessage(text: string): SiweMessage {
  try {
    return new SiweMessage(text);
  } catch {
    throw new ApiError("invalid_input", "The message is not an EIP-4361 sign-in message.", [{ path: "message", message: "does not parse as EIP-4361" }]);
  }
}

/**
 * Checks a signed EIP-4361 message and opens a session: signature from message.address, our domain and
 * origin (PUBLIC_URL; in production never the Host header), our chain, an unexpired message, and a nonce we
 * issued (consumed here, so it works once). Each refusal is a 401 whose `details.reason` names it (SignInRefusal).
 */
export async function verifySignIn(request: Request, input: { message: string; signature: string }): Promise<{ token: string; session: Session }> {
  const message = parseMessage(input.message);
  const now = Date.now();
  const { host, origin } = expectedOrigin(request);

  if (!message.expirationTime) throw refused("no_expiration", "The sign-in message must have an expiration time.");
  const expiresAt = Date.parse(message.expirationTime);
  const issuedAt = Date.parse(message.issuedAt ?? "");
  if (!Number.isFinite(issuedAt) || issuedAt > now + CLOCK_SKEW_MS) throw refused("issued_in_future", "The sign-in message was issued in the future.");
  if (expiresAt - issuedAt > MAX_MESSAGE_LIFETIME_MS) throw refused("lifetime_too_long", "The sign-in message is valid for too long.");

  const result = await message.verify({ signature: input.signature, domain: host, time: new Date(now).toISOString() }, { suppressExceptions: true });
  if (!result.success) {
    const type = result.error?.type;
    if (type === "Domain does not match provided domain for verification.") throw refused("domain_mismatch", `The sign-in message is for ${message.domain}, not ${host}.`);
    if (type === "Expired message.") throw refused("expired", "The sign-in message has expired; sign in again.");
    if (type === "Message is not valid yet.") throw refused("not_yet_valid", "The sign-in message is not valid yet.");
    throw refused("signature_mismatch", "The signature does not match the message's address.");
  }
  let uriOrigin: string;
  try {
    uriOrigin = new URL(message.uri).origin;
  } catch {
    uriOrigin = "";
  }
  if (uriOrigin !== origin) throw refused("uri_mismatch", `The sign-in message's URI is not on ${origin}.`);
  const chainId = getEnv().CHAIN_ID;
  if (message.chainId !== chainId) throw refused("chain_mismatch", `The sign-in message is for chain ${message.chainId}, not ${chainId}.`);
  if (!(await consumeSignInNonce(message.nonce))) throw refused("nonce_invalid", "The sign-in nonce is unknown, expired or already used; sign in again.");

  // A new sign-in replaces the session this browser already had (another account's, say): its token must
  // not stay valid in the database after the cookie is overwritten.
  await endSession(request);
  return createSession(message.address.toLowerCase() as `0x${string}`, chainId);
}
