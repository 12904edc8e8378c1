import { randomUUID } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";

export interface Credentials {
  email: string;
  password: string;
}

/** Credentials for a new account. The server's database is shared by the whole run. */
export function newCredentials(): Credentials {
  return { email: `e2e-${randomUUID()}@example.test`, password: "correct horse battery staple" };
}

/** `/sign-up` and `/sign-in` share one form: Email, Password and a submit button. */
abstract class CredentialsPage {
  constructor(readonly page: Page) {}

  protected abstract readonly path: string;
  protected abstract readonly submitLabel: string;

  get email(): Locator {
    return this.page.getByLabel("Email", { exact: true });
  }

  get password(): Locator {
    return this.page.getByLabel("Password", { exact: true });
  }

  get submit(): Locator {
    return this.page.getByRole("button", { name: this.submitLabel, exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto(this.path);
  }

  async fill({ email, password }: Credentials): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }
}

export class SignUpPage extends CredentialsPage {
  protected readonly path = "/sign-up";
  protected readonly submitLabel = "Create account";

  /** Creates the account and waits for the board, where a new account lands signed in. */
  async signUp(credentials: Credentials = newCredentials()): Promise<Credentials> {
    await this.goto();
    await this.fill(credentials);
    await expect(this.page).toHaveURL("/");
    return credentials;
  }
}

export class SignInPage extends CredentialsPage {
  protected readonly path = "/sign-in";
  protected readonly submitLabel = "Sign in";

  /** The form's alert. Next's route announcer, present on every page, is an alert too. */
  get alert(): Locator {
    return this.page.getByRole("alert").and(this.page.locator(":not(#__next-route-announcer__)"));
  }

  /** The notice that gives the reason the browser was signed out, from the URL's `reason`. */
  get notice(): Locator {
    return this.page.getByTestId("sign-in-notice");
  }

  /** The GitHub button, shown only when the server has a GitHub OAuth app configured. */
  get githubButton(): Locator {
    return this.page.getByRole("button", { name: "Sign in with GitHub", exact: true });
  }

  async signIn(credentials: Credentials): Promise<void> {
    await this.goto();
    await this.fill(credentials);
  }
}

/** The navigation of every signed-in page. */
export class SignedInLayout {
  constructor(readonly page: Page) {}

  get signOutButton(): Locator {
    return this.page.getByRole("button", { name: "Sign out", exact: true });
  }

  async signOut(): Promise<void> {
    await this.signOutButton.click();
    await expect(this.page).toHaveURL(/\/sign-in(\?|$)/);
  }
}
