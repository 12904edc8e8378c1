import { randomInt } from "node:crypto";
import type { BrowserContext } from "@playwright/test";
import pg from "pg";
import { expect, test } from "./fixtures";
import { SignUpPage } from "./pages/auth-pages";
import { SettingsPage } from "./pages/settings-page";
import { BASE_URL, EXTRA_PORT, SHARED_DATABASE_URL } from "./support/environment";
import { LOOPBACK_HOST, type NextServer } from "./support/next-server";
import { startPostgresApp } from "./support/postgres-app";

// The suite has no GitHub. "Connect GitHub" is followed up to the browser's request for
// GitHub's authorization page, which Playwright fulfills locally. Accounts connected to
// GitHub are made by writing the GitHub user id into the database.

const AUTHORIZE_STAND_IN = "GitHub authorization stand-in";

/**
 * Fulfills the browser's request for GitHub's authorization page with a local page and
 * aborts every other request to a host that is not loopback, so none leaves the browser.
 * Returns the list that collects the requested authorization URLs.
 */
async function answerGitHubAuthorization(context: BrowserContext): Promise<URL[]> {
  const requested: URL[] = [];
  await context.route(
    (url) => url.hostname !== LOOPBACK_HOST,
    async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== "https://github.com" || url.pathname !== "/login/oauth/authorize") {
        await route.abort();
        return;
      }
      requested.push(url);
      await route.fulfill({
        status: 200,
        contentType: "text/html",
        body: `<title>${AUTHORIZE_STAND_IN}</title>`,
      });
    },
  );
  return requested;
}

test.describe("connect GitHub", () => {
  test("starts GitHub authorization with an intent", async ({ page, account: _account }) => {
    const requested = await answerGitHubAuthorization(page.context());
    const settings = new SettingsPage(page);
    await settings.goto();
    await expect(settings.disconnectGitHubButton).toHaveCount(0);

    await settings.connectGitHubButton.click();

    await expect(page).toHaveTitle(AUTHORIZE_STAND_IN);
    expect(requested).toHaveLength(1);
    const authorize = requested[0]!;
    expect(authorize.searchParams.get("client_id")).toBe("e2e-github-client-id");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${BASE_URL}/api/auth/callback/github`);

    const callbackCookies = await page.context().cookies(`${BASE_URL}/api/auth/callback/github`);
    const intent = callbackCookies.find((cookie) => cookie.name === "chirp-github-link");
    if (!intent) throw new Error("expected the GitHub link intent cookie");
    expect(intent.httpOnly).toBe(true);
    expect(intent.sameSite).toBe("Lax");
    expect(intent.path).toBe("/api/auth/callback/github");
    const nowSeconds = Date.now() / 1000;
    expect(intent.expires).toBeGreaterThan(nowSeconds);
    expect(intent.expires).toBeLessThanOrEqual(nowSeconds + 300);
    const settingsCookies = await page.context().cookies(`${BASE_URL}/settings`);
    expect(settingsCookies.map((cookie) => cookie.name)).not.toContain("chirp-github-link");

    // Nothing is connected until GitHub sends the browser back.
    await settings.goto();
    await expect(settings.connectGitHubButton).toBeVisible();
  });

  test("failures from GitHub's callback are explained", async ({ page, account: _account }) => {
    const settings = new SettingsPage(page);
    const cases = [
      [
        "github_already_linked",
        "This GitHub account is already connected to another Chirp account.",
      ],
      ["github_other_user_connected", "already connected to a different GitHub account."],
      ["github_link_expired", "The request to connect GitHub expired or was already used."],
      ["github_invalid_profile", "GitHub sent a profile without a user id"],
    ] as const;

    for (const [code, message] of cases) {
      await page.goto(`/settings?github_error=${code}`);
      await expect(settings.githubAlert, code).toContainText(message);
    }

    await page.goto("/settings?github_error=Call%20us%20at%20555");
    await expect(settings.connectGitHubButton).toBeVisible();
    await expect(settings.githubAlert).toHaveCount(0);

    // Names inherited by every object are not outcomes either.
    await page.goto("/settings?github=constructor");
    await expect(settings.connectGitHubButton).toBeVisible();
    await expect(settings.githubStatus).toHaveCount(0);
  });
});

test.describe("disconnect GitHub", () => {
  test.describe.configure({ mode: "serial" });

  let app: NextServer;
  let database: pg.Client;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    app = await startPostgresApp({
      port: EXTRA_PORT,
      databaseUrl: SHARED_DATABASE_URL,
      name: "github-connection-server",
      env: {
        AUTH_GITHUB_ID: "e2e-github-client-id",
        AUTH_GITHUB_SECRET: "e2e-github-client-secret",
      },
    });
    database = new pg.Client({ connectionString: SHARED_DATABASE_URL });
    await database.connect();
  });

  test.afterAll(async () => {
    await database?.end();
    await app?.stop();
  });

  async function githubUserIdOf(email: string): Promise<string | null> {
    const result = await database.query<{ github_user_id: string | null }>(
      "SELECT github_user_id FROM accounts WHERE email = $1",
      [email],
    );
    return result.rows[0]?.github_user_id ?? null;
  }

  test("needs a password first", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    const account = await new SignUpPage(page).signUp();
    // The state of an account made by a first GitHub sign-in: a GitHub user, no password.
    const githubUserId = String(randomInt(1, 2 ** 47));
    await database.query(
      "UPDATE accounts SET github_user_id = $1, password_hash = NULL WHERE email = $2",
      [githubUserId, account.email],
    );
    const settings = new SettingsPage(page);
    await settings.goto();

    await settings.disconnectGitHubButton.click();

    await expect(settings.githubAlert).toContainText(
      "GitHub is the only way this account signs in, so disconnecting it would lock you out. Set a password below first, then disconnect GitHub.",
    );
    expect(await githubUserIdOf(account.email)).toBe(githubUserId);

    await settings.setPassword("a brand new passphrase");
    await expect(page.getByRole("heading", { name: "Change password", exact: true })).toBeVisible();
    await expect(settings.githubAlert).toHaveCount(0);
    await settings.disconnectGitHubButton.click();

    await expect(page).toHaveURL("/settings?github=disconnected");
    await expect(settings.githubStatus).toHaveText(
      "GitHub is disconnected, and every other browser signed in to this account is signed out. Sign in with your email and password from now on.",
    );
    await expect(settings.connectGitHubButton).toBeVisible();
    expect(await githubUserIdOf(account.email)).toBeNull();
    await context.close();
  });
});
