// The browser helper's message builder, reused so tests sign exactly what the browser signs.
export { buildSignInMessage, utf8ToHex as utf8ToHexForTests } from "@/lib/auth/client/siwe-message";
export { SIGN_IN_MESSAGE_TTL_MS } from "@/lib/auth/client/sign-in";
