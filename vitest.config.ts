import path from "node:path";
import { defineConfig } from "vitest/config";

// Database suites run once per driver. Postgres and Neon use TEST_DATABASE_URL, which
// .ci/run creates; see the README for running them locally.
const postgresUrl =
  process.env.TEST_DATABASE_URL ?? "postgres://chirp:chirp@127.0.0.1:5432/chirp_test";

const shared = {
  CHIRP_KEY_SECRET: "test-key-secret-0123456789abcdefghijklmnop",
  AUTH_SECRET: "test-auth-secret-0123456789abcdefghijklmno",
  // 32 bytes in base64.
  CHIRP_RUNPOD_ENCRYPTION_KEY: "dGVzdC1ydW5wb2QtZW5jcnlwdGlvbi1rZXktMzJieXQ=",
  NODE_ENV: "test" as const,
};

// The defaults are sized for requests on a healthy server. Test setup runs bulk statements
// (a 100,000-card seed, VACUUM on the shared database), and on a busy test machine, or
// through the local WebSocket proxy for Neon, 50 concurrent requests wait longer than 2 s
// for a pooled connection. The database restart spec tests the defaults.
const testDatabaseTimeouts = {
  CHIRP_DB_CONNECT_TIMEOUT_MS: "30000",
  CHIRP_DB_STATEMENT_TIMEOUT_MS: "120000",
};

const databaseTests = ["lib/**/*.db.test.ts"];
const openDatabase = "lib/testing/open-database.ts";
const reportDir = process.env.CHIRP_TEST_REPORT_DIR;

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    reporters: reportDir ? ["default", "json"] : ["default"],
    outputFile: reportDir ? { json: path.join(reportDir, "vitest.json") } : undefined,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts"], exclude: databaseTests, env: shared },
      },
      {
        extends: true,
        test: {
          name: "pglite",
          include: databaseTests,
          setupFiles: [openDatabase],
          env: { ...shared, CHIRP_DATA_DIR: "memory://" },
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: databaseTests,
          setupFiles: [openDatabase],
          env: {
            ...shared,
            ...testDatabaseTimeouts,
            DATABASE_URL: postgresUrl,
            CHIRP_DB_DRIVER: "postgres",
          },
        },
      },
      {
        extends: true,
        test: {
          name: "neon",
          include: databaseTests,
          setupFiles: [openDatabase],
          globalSetup: ["lib/db/testing/neon-setup.ts"],
          env: {
            ...shared,
            ...testDatabaseTimeouts,
            DATABASE_URL: postgresUrl,
            CHIRP_DB_DRIVER: "neon",
          },
        },
      },
    ],
  },
});
