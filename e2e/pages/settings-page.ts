import { expect, type Locator, type Page } from "@playwright/test";

/** `/settings`: the account's email, the change-password form and the RunPod connection. */
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

  get runpodApiKey(): Locator {
    return this.page.getByLabel("RunPod API key", { exact: true });
  }

  get runpodEndpointId(): Locator {
    return this.page.getByLabel("Endpoint id to test with", { exact: true });
  }

  get runpodSaved(): Locator {
    return this.page.getByText("RunPod accepted the key, and it is saved.");
  }

  /** Saves a RunPod connection and waits until the server has tested and saved it. */
  async connectRunpod(apiKey: string, endpointId: string): Promise<void> {
    await this.runpodApiKey.fill(apiKey);
    await this.runpodEndpointId.fill(endpointId);
    await this.page.getByRole("button", { name: "Test and save key", exact: true }).click();
    await expect(this.runpodSaved).toBeVisible();
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
