// Used by next.config.ts (no "server-only": the config is loaded outside the app bundle).

/**
 * The Content-Security-Policy of every page and route. No 'unsafe-eval' (PDF.js runs with isEvalSupported:
 * false and its worker from our origin); only `next dev` adds it, for React's development tooling. Scripts keep
 * 'unsafe-inline' because Next.js streams its RSC payload in inline scripts (a nonce would make every page
 * dynamic). 'wasm-unsafe-eval' lets the page compile WebAssembly (libsodium's secretbox for the file envelope,
 * lib/crypto/secretbox.ts) and nothing else: no eval() or new Function(). The browser talks to the chain through
 * the wallet extension, never directly: connect-src 'self'.
 */
export function contentSecurityPolicy(development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(development: boolean): Array<{ key: string; value: string }> {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy(development) },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "no-referrer" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  ];
}
