import type { NextConfig } from "next";
import { securityHeaders } from "./lib/security/headers";

const nextConfig: NextConfig = {
  // Tests build into their own folder so they never overwrite a developer's running build.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // The Docker image runs the self-contained server from .next/standalone.
  output: "standalone",
  poweredByHeader: false,
  // Node-only packages (native addons, fs-based stores) stay out of the server bundle.
  serverExternalPackages: ["pg", "blockstore-fs", "kubo-rpc-client", "web3"],
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders(process.env.NODE_ENV === "development") },
      // HSTS only on answers that travelled over https (the TLS proxy says so in X-Forwarded-Proto; a browser
      // ignores the header over plain http anyway, RFC 6797 8.1).
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
        headers: [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }],
      },
    ];
  },
};

export default nextConfig;
