// Browser side of Sign-In with Ethereum: no server-only imports here.
export { signIn, SIGN_IN_MESSAGE_TTL_MS, type SignInOptions } from "./sign-in";
export { signOut } from "./sign-out";
export { getSession } from "./get-session";
export { AuthRequestError } from "./auth-error";
export { buildSignInMessage, toChecksumAddress, SIGN_IN_STATEMENT, type SignInMessageFields } from "./siwe-message";
