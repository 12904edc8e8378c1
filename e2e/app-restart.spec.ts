import { expect, test } from "./fixtures";
import { EXTRA_PORT, SHARED_DATABASE_URL } from "./support/environment";
import type { NextServer } from "./support/next-server";
import {
  DeliveryLoad,
  missingDeliveries,
  type SignedInUser,
  signUpWithKeys,
  startPostgresApp,
} from "./support/postgres-app";

// The app is killed mid-load, as a crash or an out-of-memory kill would, and started
// again. The app commits a delivery before it responds 200, so every accepted delivery
// survives.

test.describe("app restart", () => {
  let app: NextServer | undefined;
  let user: SignedInUser | undefined;

  test.afterEach(async () => {
    await user?.context.close();
    await app?.stop();
  });

  test("killed mid-load, no accepted delivery lost", async ({ browser }) => {
    test.setTimeout(240_000);
    const port = EXTRA_PORT + 3;
    app = await startPostgresApp({
      port,
      databaseUrl: SHARED_DATABASE_URL,
      name: "app-restart-server",
    });
    user = await signUpWithKeys(browser, app);

    const load = new DeliveryLoad(`${app.url}/v1/webhooks/runpod?key=${user.webhookKey}`);
    await load.waitForAccepted(20);

    // SIGKILL to the whole group: `next start` and its `next-server` child die at once,
    // with requests in flight.
    process.kill(-app.pid, "SIGKILL");
    await app.stop();
    app = await startPostgresApp({
      port,
      databaseUrl: SHARED_DATABASE_URL,
      name: "app-restart-server-restarted",
    });

    await load.waitForAccepted(20);
    const outcomes = await load.stop();

    expect(
      outcomes.filter((outcome) => outcome.status === null).length,
      "some requests found the app down",
    ).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      expect([200, null], outcome.jobId).toContain(outcome.status);
    }
    expect(await missingDeliveries(SHARED_DATABASE_URL, load.accepted())).toEqual([]);
  });
});
