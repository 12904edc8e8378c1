import path from "node:path";
import { LOOPBACK_HOST, REPO_ROOT } from "./next-server";

/** Where the end-to-end suite runs its server; the specs and the config read these. */

// CHIRP_E2E_PORT lets two checkouts on one machine run the suite side by side.
export const E2E_PORT = Number(process.env.CHIRP_E2E_PORT ?? 3200);
export const BASE_URL = `http://${LOOPBACK_HOST}:${E2E_PORT}`;

export const RESULTS_DIR = path.join(REPO_ROOT, "test-results");
export const BUILD_LOG = path.join(RESULTS_DIR, "next-build.log");
export const SERVER_LOG = path.join(RESULTS_DIR, "next-server.log");

// Fixed test secrets: the server's data folder is fresh on every run, so nothing signed
// with them outlives the run.
export const TEST_AUTH_SECRET = "e2e-auth-secret-0123456789abcdefghijklmnopq";
export const TEST_KEY_SECRET = "e2e-key-secret-0123456789abcdefghijklmnopqr";

// The reliability specs run app servers of their own, and the database start spec a TCP
// proxy, on CHIRP_E2E_EXTRA_PORT and the next six ports, and a private PostgreSQL on
// CHIRP_E2E_POSTGRES_PORT.
export const EXTRA_PORT = Number(process.env.CHIRP_E2E_EXTRA_PORT ?? E2E_PORT + 40);
export const PRIVATE_POSTGRES_PORT = Number(process.env.CHIRP_E2E_POSTGRES_PORT ?? 5440);
// The database the vitest suites use; the multi-instance specs share it the same way,
// with accounts of their own.
export const SHARED_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://chirp:chirp@127.0.0.1:5432/chirp_test";
