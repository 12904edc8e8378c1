import { readFileSync } from "node:fs";
import path from "node:path";
import { generateKey } from "@/lib/keys/format";
import { expect, test } from "./fixtures";
import { newCredentials, SignUpPage } from "./pages/auth-pages";
import { BoardPage } from "./pages/board-page";
import { completedStatusObject, newJobId, postWebhook } from "./support/chirp-api";
import {
  EXTRA_PORT,
  RESULTS_DIR,
  SHARED_DATABASE_URL,
  TEST_KEY_SECRET,
} from "./support/environment";
import { LOOPBACK_HOST, type NextServer } from "./support/next-server";
import { type SignedInUser, signUpWithKeys, startPostgresApp } from "./support/postgres-app";
import { createTcpProxy, type TcpProxy } from "./support/tcp-proxy";

// The app starts before its database, as with docker compose starting both at once, or
// with a database URL that is wrong. An unreachable database must leave the server
// running with 503s until it can connect. A database that rejects the connection must
// stop the server at start with the reason.

const APP_PORT = EXTRA_PORT + 4;
const PROXY_PORT = EXTRA_PORT + 5;
const REJECTED_APP_PORT = EXTRA_PORT + 6;

/** Returns a webhook key that the app's secret signs and no account has. */
function unknownWebhookKey(): string {
  const saved = process.env.CHIRP_KEY_SECRET;
  process.env.CHIRP_KEY_SECRET = TEST_KEY_SECRET;
  try {
    return generateKey("webhook").key;
  } finally {
    if (saved === undefined) delete process.env.CHIRP_KEY_SECRET;
    else process.env.CHIRP_KEY_SECRET = saved;
  }
}

/** Returns the shared database's URL with some of its parts replaced. */
function sharedDatabaseUrlWith(parts: { port?: number; password?: string; database?: string }) {
  const url = new URL(SHARED_DATABASE_URL);
  url.hostname = LOOPBACK_HOST;
  if (parts.port !== undefined) url.port = String(parts.port);
  if (parts.password !== undefined) url.password = parts.password;
  if (parts.database !== undefined) url.pathname = `/${parts.database}`;
  return url;
}

/** Creates a proxy to the shared database, not yet listening, and the URL through it. */
function proxyToSharedDatabase(): { proxy: TcpProxy; databaseUrl: URL } {
  const shared = new URL(SHARED_DATABASE_URL);
  return {
    proxy: createTcpProxy({ port: PROXY_PORT, targetPort: Number(shared.port || 5432) }),
    databaseUrl: sharedDatabaseUrlWith({ port: PROXY_PORT }),
  };
}

/** Returns the messages of the JSON lines that the server logged. */
function loggedMessages(logFile: string): string[] {
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

function describeShared(url: URL): string {
  return `database "${url.pathname.slice(1)}" on ${url.hostname}:${url.port || 5432} as user "${url.username}"`;
}

test.describe("database at start", () => {
  let app: NextServer | undefined;
  let proxy: TcpProxy | undefined;
  let user: SignedInUser | undefined;

  test.afterEach(async () => {
    await user?.context.close();
    await app?.stop();
    await proxy?.close();
  });

  test("unreachable database: 503 until it connects", async ({ browser }) => {
    test.setTimeout(180_000);
    const proxied = proxyToSharedDatabase();
    proxy = proxied.proxy;
    const databaseUrl = proxied.databaseUrl;

    // Nothing listens on the proxy's port yet, so the database refuses connections.
    // startPostgresApp returns once GET /v1/ping returns 200.
    app = await startPostgresApp({
      port: APP_PORT,
      databaseUrl: databaseUrl.toString(),
      name: "database-startup-server",
      env: { LOG_LEVEL: "info" },
    });

    const ping = await fetch(`${app.url}/v1/ping`);
    expect(ping.status).toBe(200);

    const webhookUrl = `${app.url}/v1/webhooks/runpod?key=${unknownWebhookKey()}`;
    const during = await postWebhook(webhookUrl, completedStatusObject(newJobId()));
    expect(during.status).toBe(503);
    expect(during.json.error?.code).toBe("database_unavailable");

    // A visitor gets the sign-up page, and creating an account fails with a message.
    const visitor = await browser.newContext({ baseURL: app.url });
    const signUpPage = await visitor.newPage();
    const signUp = new SignUpPage(signUpPage);
    await signUp.goto();
    await signUp.fill(newCredentials());
    await expect(
      signUpPage
        .getByRole("alert")
        .filter({ hasText: "Creating the account failed on the server. Try again in a moment." }),
    ).toBeVisible();
    await visitor.close();

    const unreachable = loggedMessages(app.logFile).filter((message) =>
      message.startsWith("Could not reach"),
    );
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toContain(
      `Could not reach ${describeShared(databaseUrl)}: connect ECONNREFUSED ${LOOPBACK_HOST}:${PROXY_PORT}.`,
    );
    expect(unreachable[0]).toContain("retries in the background");
    expect(readFileSync(app.logFile, "utf8")).not.toContain(`:${databaseUrl.password}@`);
    expect(
      loggedMessages(app.logFile).filter((message) => message.startsWith("Connected to")),
    ).toEqual([]);

    await proxy.start();

    // Requests open the database themselves, so the first one after the database came
    // back already finds the key missing instead of returning 503.
    await expect
      .poll(async () => (await postWebhook(webhookUrl, completedStatusObject(newJobId()))).status, {
        timeout: 60_000,
      })
      .toBe(401);
    user = await signUpWithKeys(browser, app);
    const delivery = await postWebhook(
      `${app.url}/v1/webhooks/runpod?key=${user.webhookKey}`,
      completedStatusObject(newJobId()),
    );
    expect(delivery.status).toBe(200);

    // The background retries log the connection once, at their next attempt.
    const connected = `Connected to ${describeShared(databaseUrl)} after`;
    await expect
      .poll(
        () =>
          loggedMessages(app!.logFile).filter((message) => message.startsWith(connected)).length,
        { timeout: 60_000 },
      )
      .toBe(1);
    expect(readFileSync(app.logFile, "utf8")).not.toContain("uncaughtException");
  });

  test("signed-in user: board once the database is up", async ({ browser }) => {
    test.setTimeout(180_000);
    const proxied = proxyToSharedDatabase();
    proxy = proxied.proxy;
    const databaseUrl = proxied.databaseUrl.toString();
    await proxy.start();
    app = await startPostgresApp({ port: APP_PORT, databaseUrl, name: "database-startup-server" });
    user = await signUpWithKeys(browser, app);
    await app.stop();
    await proxy.close();

    // The server starts again while the database is unreachable. The session cannot be
    // checked, so the board shows Next's error page, as during an outage of a running
    // server, and the session is kept.
    app = await startPostgresApp({
      port: APP_PORT,
      databaseUrl,
      name: "database-startup-restarted-server",
    });
    const response = await user.page.goto("/");
    expect(response?.status()).toBe(500);
    await expect(
      user.page.getByText("A server error occurred. Reload to try again."),
    ).toBeVisible();

    await proxy.start();
    const board = new BoardPage(user.page);
    await expect(async () => {
      await board.goto();
      await expect(board.heading).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 60_000 });
  });

  for (const { label, parts, reason, fix } of [
    {
      label: "missing database",
      parts: { database: "chirp_missing_database" },
      reason: 'database "chirp_missing_database" does not exist (SQLSTATE 3D000)',
      fix: "Create the database on the server (createdb), or fix the database name in DATABASE_URL.",
    },
    {
      label: "wrong password",
      parts: { password: "wrong-password-for-chirp" },
      reason: "password authentication failed for user",
      fix: "Fix the user name or the password in DATABASE_URL",
    },
  ]) {
    test(`${label}: server exits with the fix`, async () => {
      const databaseUrl = sharedDatabaseUrlWith(parts);
      const logFile = path.join(RESULTS_DIR, "database-rejected-server.log");

      const start = startPostgresApp({
        port: REJECTED_APP_PORT,
        databaseUrl: databaseUrl.toString(),
        name: "database-rejected-server",
      });

      await expect(start).rejects.toThrow(/exited with code 1 before it responded/);
      const log = readFileSync(logFile, "utf8");
      expect(log).toContain(
        `Chirp cannot start: The server rejected the connection to ${describeShared(databaseUrl)}:`,
      );
      expect(log).toContain(reason);
      expect(log).toContain(fix);
      expect(log).not.toContain(`:${databaseUrl.password}@`);
      if (parts.password) expect(log).not.toContain(parts.password);
    });
  }
});
