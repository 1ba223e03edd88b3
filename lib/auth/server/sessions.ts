import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api";
import { getEnv } from "@/lib/config";
import { deleteSession, insertSession } from "@/lib/db/repositories/sessions";
import { readSessionToken } from "./cookie";
import { deleteSessionsOf, touchLiveSession } from "./session-store";

/** Absolute limit: a session ends this long after sign-in, however active. It also ends after SESSION_IDLE_MINUTES unused. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface Session {
  address: `0x${string}`;
  chainId: number;
  expiresAt: Date;
}

/** A session as the server sees it: also an opaque id (from the token's hash) for per-session rate limits. */
export interface ServerSession extends Session {
  id: string;
}

const hashToken = (token: string) => createHash("sha256").update(Buffer.from(token, "base64url")).digest();

/** A new session; returns the cookie token (only its SHA-256 is stored). */
export async function createSession(address: `0x${string}`, chainId: number): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString("base64url");
  const session = { address, chainId, expiresAt: new Date(Date.now() + SESSION_TTL_SECONDS * 1000) };
  await insertSession(hashToken(token), session);
  return { token, session };
}

/**
 * The caller's session from the cookie, or undefined. Identity never comes from anywhere else. A session
 * unused for SESSION_IDLE_MINUTES has ended (automatic logoff); each call counts as use.
 */
export async function currentSession(request: Request): Promise<ServerSession | undefined> {
  const token = readSessionToken(request);
  if (!token) return undefined;
  const tokenHash = hashToken(token);
  const session = await touchLiveSession(tokenHash, getEnv().SESSION_IDLE_MINUTES * 60);
  // A session from before a switch of CHAIN_ID no longer speaks for this chain.
  if (!session || session.chainId !== getEnv().CHAIN_ID) return undefined;
  return { ...session, id: tokenHash.subarray(0, 16).toString("hex") };
}

export async function requireSession(request: Request): Promise<ServerSession> {
  const session = await currentSession(request);
  if (!session) throw new ApiError("unauthenticated", "Sign in with your wallet first.");
  return session;
}

export async function endSession(request: Request): Promise<void> {
  const token = readSessionToken(request);
  if (token) await deleteSession(hashToken(token));
}

/** "Sign out everywhere": ends every session of the caller's address, this one included. */
export async function endAllSessions(address: string): Promise<number> {
  return deleteSessionsOf(address);
}

export const sessionResponse = (session: Session) => ({
  address: session.address,
  chainId: session.chainId,
  expiresAt: session.expiresAt.toISOString(),
});
