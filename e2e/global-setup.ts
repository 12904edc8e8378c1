import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startRunpodSimulator } from "@/lib/runpod/simulator";
import {
  BASE_URL,
  BUILD_LOG,
  E2E_PORT,
  SERVER_LOG,
  TEST_AUTH_SECRET,
  TEST_KEY_SECRET,
} from "./support/environment";
import { buildApp, startNextServer } from "./support/next-server";
import { SIMULATOR_API_KEY } from "./support/runpod";

/**
 * Builds the app (unless CHIRP_E2E_SKIP_BUILD=1 says the build is current) and serves it
 * with `next start` on an embedded database in a fresh folder. The server's RunPod API is
 * a simulator that accepts only SIMULATOR_API_KEY, for the RunPod connection in settings.
 * Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.CHIRP_E2E_SKIP_BUILD === "1") {
    console.log("CHIRP_E2E_SKIP_BUILD=1: using the existing build in .next.");
  } else {
    console.log(`Building the app with next build (log: ${BUILD_LOG}) ...`);
    await buildApp({ logFile: BUILD_LOG });
  }

  const dataDir = await mkdtemp(path.join(tmpdir(), "chirp-e2e-"));
  // The server's RunPod: accounts that save a RunPod connection in Settings submit here
  // through the proxy, and the watchdog polls here.
  const runpod = await startRunpodSimulator({
    apiKey: SIMULATOR_API_KEY,
    webhookRetryDelayMs: 500,
  });
  try {
    const server = await startNextServer({
      port: E2E_PORT,
      logFile: SERVER_LOG,
      env: {
        CHIRP_DATA_DIR: dataDir,
        CHIRP_BASE_URL: BASE_URL,
        AUTH_SECRET: TEST_AUTH_SECRET,
        CHIRP_KEY_SECRET: TEST_KEY_SECRET,
        CHIRP_KEY_SECRET_PREVIOUS: undefined,
        CHIRP_RUNPOD_BASE_URL: runpod.url,
        LOG_LEVEL: "warn",
        // The suite tests the embedded database; a DATABASE_URL from the shell would
        // point the server at a shared one.
        DATABASE_URL: undefined,
        CHIRP_DB_DRIVER: undefined,
        // Made-up OAuth app credentials that turn on the "Sign in with GitHub" button. No
        // spec submits it, so the server never contacts GitHub.
        AUTH_GITHUB_ID: "e2e-github-client-id",
        AUTH_GITHUB_SECRET: "e2e-github-client-secret",
      },
    });
    console.log(`Serving ${BASE_URL} (pid ${server.pid}, log: ${SERVER_LOG}).`);
    return async () => {
      await server.stop();
      await runpod.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  } catch (error) {
    await runpod.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
