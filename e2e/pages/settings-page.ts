import { expect, type Locator, type Page } from "@playwright/test";

/**
 * `/settings`: the account's email, the GitHub connection, the RunPod connection, the
 * change-password form and "Sign out other sessions".
 */
export class SettingsPage {
  constructor(readonly page: Page) {}

  get email(): Locator {
    return this.page.getByTestId("settings-email");
  }

  get currentPassword(): Locator {
    return this.page.getByLabel("Current password", { exact: true });
  }

  get newPassword(): Locator {
    return this.page.getByLabel("New password", { exact: true });
  }

  get confirmPassword(): Locator {
    return this.page.getByLabel("Confirm new password", { exact: true });
  }

  get submit(): Locator {
    return this.page.getByRole("button", { name: "Change password", exact: true });
  }

  get confirmation(): Locator {
    return this.page.getByRole("status").filter({ hasText: "Password changed" });
  }

  get signOutOtherSessionsButton(): Locator {
    return this.page.getByRole("button", { name: "Sign out other sessions", exact: true });
  }

  get otherSessionsSignedOut(): Locator {
    return this.page.getByRole("status").filter({ hasText: "Signed out every other browser" });
  }

  async signOutOtherSessions(): Promise<void> {
    await this.signOutOtherSessionsButton.click();
    await expect(this.otherSessionsSignedOut).toBeVisible();
  }

  get runpodApiKey(): Locator {
    return this.page.getByLabel("RunPod API key", { exact: true });
  }

  get runpodEndpoint(): Locator {
    return this.page.getByLabel("Endpoint id to test with", { exact: true });
  }

  /** The saved connection: when it was saved and the key's last four characters. */
  get runpodConnection(): Locator {
    return this.page.getByTestId("runpod-connection");
  }

  async saveRunpodKey(apiKey: string, endpointId: string): Promise<void> {
    await this.runpodApiKey.fill(apiKey);
    await this.runpodEndpoint.fill(endpointId);
    await this.page.getByRole("button", { name: /^Test and (save|replace) key$/ }).click();
  }

  async removeRunpodKey(): Promise<void> {
    await this.page.getByRole("button", { name: "Remove RunPod key", exact: true }).click();
  }

  /** The GitHub section, shown when the server has a GitHub OAuth app configured. */
  get github(): Locator {
    return this.page.getByTestId("github-connection");
  }

  get connectGitHubButton(): Locator {
    return this.github.getByRole("button", { name: "Connect GitHub", exact: true });
  }

  get disconnectGitHubButton(): Locator {
    return this.github.getByRole("button", { name: "Disconnect", exact: true });
  }

  /** Why connecting or disconnecting GitHub failed. */
  get githubAlert(): Locator {
    return this.github.getByRole("alert");
  }

  get githubStatus(): Locator {
    return this.github.getByRole("status");
  }

  /** Sets the first password of an account that has none. */
  async setPassword(password: string): Promise<void> {
    await this.newPassword.fill(password);
    await this.confirmPassword.fill(password);
    await this.page.getByRole("button", { name: "Set password", exact: true }).click();
  }

  async goto(): Promise<void> {
    await this.page.goto("/settings");
    await expect(this.page.getByRole("heading", { name: "Settings", exact: true })).toBeVisible();
  }

  async changePassword(current: string, next: string, confirmation = next): Promise<void> {
    await this.currentPassword.fill(current);
    await this.newPassword.fill(next);
    await this.confirmPassword.fill(confirmation);
    await this.submit.click();
  }
}
