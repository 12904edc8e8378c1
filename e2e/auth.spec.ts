import { expect, test } from "./fixtures";
import { SignedInLayout, SignInPage, SignUpPage } from "./pages/auth-pages";

const SIGN_IN_URL = /\/sign-in(\?|$)/;

test.describe("auth", () => {
  test("signed-out board redirects to sign-in", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(SIGN_IN_URL);
    await expect(new SignInPage(page).submit).toBeVisible();
  });

  test("signed-out keys page redirects to sign-in", async ({ page }) => {
    await page.goto("/keys");
    await expect(page).toHaveURL(SIGN_IN_URL);
  });

  test("signed-out live stream is 401 JSON", async ({ request }) => {
    const response = await request.get("/api/live");
    expect(response.status()).toBe(401);
    expect(response.headers()["content-type"]).toContain("application/json");
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    expect(body.error?.code).toBe("unauthorized");
    expect(body.error?.message).toBeTruthy();
  });

  test("sign-up lands on the board", async ({ page, account }) => {
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("heading", { name: "Board", exact: true })).toBeVisible();
    await expect(page.getByText(account.email)).toBeVisible();
    await expect(page.getByRole("link", { name: "Keys", exact: true })).toHaveAttribute(
      "href",
      "/keys",
    );
  });

  test("sign-out ends the session", async ({ page, account: _account }) => {
    // Waiting for the link prefetches makes this test check sign-out alone. The next test
    // adds a request in flight.
    await page.goto("/keys");
    await page.waitForLoadState("networkidle");
    await new SignedInLayout(page).signOut();
    await page.goto("/");
    await expect(page).toHaveURL(SIGN_IN_URL);
  });

  test("sign-out survives a request in flight", async ({ page, account: _account }) => {
    // Delay the response to one request of this browser until after the sign-out, as happens
    // to a link prefetch or to a second tab's request on a slow network.
    let markAnswered = () => {};
    const answered = new Promise<void>((resolve) => {
      markAnswered = resolve;
    });
    let markSignedOut = () => {};
    const signedOut = new Promise<void>((resolve) => {
      markSignedOut = resolve;
    });
    await page.route(
      (url) => url.pathname === "/keys" && url.searchParams.has("held"),
      async (route) => {
        const response = await route.fetch({ maxRedirects: 0 });
        markAnswered();
        await signedOut;
        await route.fulfill({ response });
      },
    );
    const heldResponse = page.evaluate(() => fetch("/keys?held=1").then((r) => r.status));
    await answered;

    await new SignedInLayout(page).signOut();
    markSignedOut();
    expect(await heldResponse).toBe(200);

    await page.goto("/");
    await expect(page, "the session stays ended").toHaveURL(SIGN_IN_URL);
  });

  test("right password opens the board", async ({ visitor, account }) => {
    await new SignInPage(visitor).signIn(account);
    await expect(visitor).toHaveURL("/");
    await expect(visitor.getByText(account.email)).toBeVisible();
  });

  test("wrong password shows an alert", async ({ visitor, account }) => {
    const signIn = new SignInPage(visitor);
    await signIn.signIn({ email: account.email, password: "not the right password" });
    await expect(signIn.alert).toHaveText("Wrong email or password.");
    await expect(visitor).toHaveURL(SIGN_IN_URL);
    await visitor.goto("/");
    await expect(visitor).toHaveURL(SIGN_IN_URL);
  });
});

test.describe("GitHub sign-in", () => {
  // The suite's server has made-up GitHub OAuth credentials, which turn the button on.
  // The button is never pressed: that would send the browser to github.com.
  test("sign-in page offers GitHub when configured", async ({ page }) => {
    const signIn = new SignInPage(page);
    await signIn.goto();
    await expect(signIn.githubButton).toBeVisible();
    await expect(signIn.submit).toBeVisible();
  });

  test("taken email explains how to connect GitHub", async ({ page }) => {
    await page.goto("/sign-in?error=github_email_taken");
    const signIn = new SignInPage(page);
    await expect(signIn.alert).toContainText(
      "An account with the email of your GitHub account already exists, and GitHub is not connected to it.",
    );
    await expect(signIn.alert).toContainText(
      "Sign in with that account's password, then choose Connect GitHub in Settings",
    );
  });

  test("unknown error code is not echoed", async ({ page }) => {
    await page.goto("/sign-in?error=Call%20us%20at%20555");
    const signIn = new SignInPage(page);
    await expect(signIn.alert).toHaveText(
      "Signing in failed. Try again, or sign in with your password.",
    );
  });

  test("prototype property as error code: generic message", async ({ page }) => {
    await page.goto("/sign-in?error=constructor");
    const signIn = new SignInPage(page);
    await expect(signIn.alert).toHaveText(
      "Signing in failed. Try again, or sign in with your password.",
    );
  });
});

test.describe("sign-in notice", () => {
  test("unknown reason shows no notice", async ({ page }) => {
    for (const reason of ["constructor", "__proto__", "Call%20us%20at%20555"]) {
      await page.goto(`/sign-in?reason=${reason}`);
      const signIn = new SignInPage(page);
      await expect(signIn.submit, reason).toBeVisible();
      await expect(signIn.notice, reason).toHaveCount(0);
    }
  });
});

test.describe("validation", () => {
  test("sign-up rejects a short password", async ({ page }) => {
    const signUp = new SignUpPage(page);
    await signUp.goto();
    await signUp.fill({ email: "short-password@example.test", password: "short" });
    await expect(page).toHaveURL(/\/sign-up(\?|$)/);
    await expect(signUp.password).toHaveAttribute("aria-invalid", "true");
    await expect(signUp.password).toHaveAccessibleDescription(/use at least 10 characters/);
  });

  test("sign-up rejects a registered email", async ({ visitor, account }) => {
    const signUp = new SignUpPage(visitor);
    await signUp.goto();
    await signUp.fill(account);
    await expect(visitor).toHaveURL(/\/sign-up(\?|$)/);
    await expect(signUp.email).toHaveAttribute("aria-invalid", "true");
    await expect(signUp.email).toHaveAccessibleDescription(/already registered/);
  });
});
