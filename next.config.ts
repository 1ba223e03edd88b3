import type { NextConfig } from "next";

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
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
