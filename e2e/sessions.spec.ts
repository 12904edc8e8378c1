import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { type Credentials, SignedInLayout, SignInPage } from "./pages/auth-pages";
import { BoardPage } from "./pages/board-page";
import { SettingsPage } from "./pages/settings-page";
import { BASE_URL } from "./support/environment";
import { openEventStream } from "./support/event-stream";

// Two browsers signed in to one account. The one on the settings page (the fixture's
// `page`) signs out the other. The other browser keeps its cookie, but the server no
// longer accepts it.

const NEW_PASSWORD = "a brand new passphrase";

// The live stream checks the session on its poll, every 10 seconds.
const STREAM_END_TIMEOUT_MS = 25_000;

interface OtherBrowser {
  context: BrowserContext;
  page: Page;
  /** The session cookie as a Cookie header, for requests made outside the browser. */
  cookie: string;
}

async function signInElsewhere(browser: Browser, account: Credentials): Promise<OtherBrowser> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new SignInPage(page).signIn(account);
  await expect(page).toHaveURL("/");
  const cookies = await context.cookies(BASE_URL);
  const cookie = cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
  return { context, page, cookie };
}

const SESSION_ENDED_NOTICE =
  "You were signed out because this account's password or GitHub connection changed, or all its other sessions were signed out. Sign in again to continue.";

async function expectSignedOut(other: OtherBrowser): Promise<void> {
  await other.page.goto("/");
  await expect(other.page).toHaveURL("/sign-in?reason=session-ended");
  await expect(new SignInPage(other.page).notice).toHaveText(SESSION_ENDED_NOTICE);

  const response = await other.context.request.get("/api/board/counts");
  expect(response.status()).toBe(401);
  const { error } = await response.json();
  expect(error.code).toBe("session_ended");
  expect(error.message).toBe(SESSION_ENDED_NOTICE);
}

async function expectSignedIn(page: Page): Promise<void> {
  await page.goto("/");
  await expect(page).toHaveURL("/");

  const response = await page.request.get("/api/board/counts");
  expect(response.status()).toBe(200);
}

test.describe("other sessions", () => {
  let other: OtherBrowser | undefined;

  test.afterEach(async () => {
    await other?.context.close();
    other = undefined;
  });

  test("password change signs out the other browser", async ({ page, account, browser }) => {
    other = await signInElsewhere(browser, account);
    await expectSignedIn(other.page);

    const settings = new SettingsPage(page);
    await settings.goto();
    await settings.changePassword(account.password, NEW_PASSWORD);
    await expect(settings.confirmation).toBeVisible();

    await expectSignedOut(other);
    await expectSignedIn(page);
    await settings.goto();
    await expect(settings.email).toHaveText(account.email);

    // The other browser signs in again with the new password only.
    const signIn = new SignInPage(other.page);
    await signIn.signIn(account);
    await expect(signIn.alert).toHaveText("Wrong email or password.");
    await signIn.signIn({ email: account.email, password: NEW_PASSWORD });
    await expect(other.page).toHaveURL("/");
  });

  test("sign-out of other sessions keeps this one", async ({ page, account, browser }) => {
    other = await signInElsewhere(browser, account);
    await expectSignedIn(other.page);
    const stream = await openEventStream(`${BASE_URL}/api/live?after=0`, {
      cookie: other.cookie,
    });
    expect(stream.response.status).toBe(200);

    const settings = new SettingsPage(page);
    await settings.goto();
    await settings.signOutOtherSessions();

    await expectSignedOut(other);
    await expectSignedIn(page);
    expect(await stream.waitForEnd(STREAM_END_TIMEOUT_MS), "the live stream ended").toBe(true);
    stream.close();

    // Signing out other sessions leaves the password as it was.
    await new SignInPage(other.page).signIn(account);
    await expect(other.page).toHaveURL("/");
  });

  test("open board moves to sign-in with the reason", async ({ page, account, browser }) => {
    other = await signInElsewhere(browser, account);
    await expect(new BoardPage(other.page).liveStatus).toHaveText("Live");

    const settings = new SettingsPage(page);
    await settings.goto();
    await settings.signOutOtherSessions();

    // The board's live stream ends on its next session check and sends the page to sign-in.
    await expect(other.page).toHaveURL("/sign-in?reason=session-ended", {
      timeout: STREAM_END_TIMEOUT_MS,
    });
    await expect(new SignInPage(other.page).notice).toHaveText(SESSION_ENDED_NOTICE);
  });

  test("own sign-out shows no notice", async ({ page, account: _account }) => {
    await page.goto("/");
    await new SignedInLayout(page).signOut();

    await expect(new SignInPage(page).submit).toBeVisible();
    await expect(new SignInPage(page).notice).toHaveCount(0);
  });

  test("session update does not revive a signed-out session", async ({
    page,
    account,
    browser,
  }) => {
    other = await signInElsewhere(browser, account);
    const settings = new SettingsPage(page);
    await settings.goto();
    await settings.signOutOtherSessions();

    // Auth.js's client-side update(): POST /api/auth/session with the CSRF token and data
    // of the browser's choosing, here a claim to the account's new session version. Each
    // request carries the signed-out session cookie, as a browser that kept it would.
    const csrf = await other.context.request.get("/api/auth/csrf");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const csrfCookie = (await other.context.cookies(BASE_URL))
      .filter(({ name }) => name.includes("csrf-token"))
      .map(({ name, value }) => `${name}=${value}`);
    expect(csrfCookie).toHaveLength(1);
    for (const sessionVersion of [2, 1_000]) {
      const update = await fetch(`${BASE_URL}/api/auth/session`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          cookie: [other.cookie, ...csrfCookie].join("; "),
        },
        body: JSON.stringify({ csrfToken, data: { sessionVersion, user: { id: "acc_claimed" } } }),
      });
      const label = `update claiming version ${sessionVersion}`;
      expect(update.status, label).toBe(200);
      expect(await update.json(), label).toBeNull();
      // The only session cookie in the response is the one that deletes it.
      const sessionCookies = update.headers
        .getSetCookie()
        .filter((cookie) => cookie.startsWith("authjs.session-token="));
      expect(sessionCookies, label).toEqual([expect.stringMatching(/^authjs\.session-token=;/)]);
    }

    // The stale cookie, sent again as the browser had it, is still rejected.
    const replayed = await fetch(`${BASE_URL}/api/board/counts`, {
      headers: { cookie: other.cookie },
    });
    expect(replayed.status).toBe(401);
    await expectSignedOut(other);
    await expectSignedIn(page);
  });
});
