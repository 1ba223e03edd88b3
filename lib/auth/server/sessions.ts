import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api";
import { getEnv } from "@/lib/config";
import { deleteSession, findSession, insertSession } from "@/lib/db/repositories/sessions";
import { readSessionToken } from "./cookie";

export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface Session {
  address: `0x${string}`;
  chainId: number;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash("sha256").update(Buffer.from(token, "base64url")).digest();

/** A new session; returns the cookie token (only its SHA-256 is stored). */
export async function createSession(address: `0x${string}`, chainId: number): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString("base64url");
  const session = { address, chainId, expiresAt: new Date(Date.now() + SESSION_TTL_SECONDS * 1000) };
  await insertSession(hashToken(token), session);
  return { token, session };
}

/** The caller's session from the cookie, or undefined. Identity never comes from anywhere else. */
export async function currentSession(request: Request): Promise<Session | undefined> {
  const token = readSessionToken(request);
  if (!token) return undefined;
  const session = await findSession(hashToken(token));
  // A session from before a switch of CHAIN_ID no longer speaks for this chain.
  return session && session.chainId === getEnv().CHAIN_ID ? session : undefined;
}

export async function requireSession(request: Request): Promise<Session> {
  const session = await currentSession(request);
  if (!session) throw new ApiError("unauthenticated", "Sign in with your wallet first.");
  return session;
}

export async function endSession(request: Request): Promise<void> {
  const token = readSessionToken(request);
  if (token) await deleteSession(hashToken(token));
}

export const sessionResponse = (session: Session) => ({
  address: session.address,
  chainId: session.chainId,
  expiresAt: session.expiresAt.toISOString(),
});
