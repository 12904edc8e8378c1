import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite loads its WebAssembly and data files by URL; bundling it breaks those paths.
  // argon2 ships a native addon that must be loaded by Node itself.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino"],
  poweredByHeader: false,
  // Webhook URLs carry their key in the query string; the development request log must
  // not print them.
  logging: { incomingRequests: { ignore: [/\/v1\/webhooks\//] } },
  agentRules: false,
};

export default nextConfig;
