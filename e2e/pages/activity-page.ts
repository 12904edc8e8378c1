import { expect, type Locator, type Page } from "@playwright/test";

/** The detail page of one card at `/activities/<id>`: the card, its timeline, the phone payload. */
export class ActivityPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole("heading", { name: "Activity", exact: true });
  }

  /** The Lock Screen card; the page shows the Dynamic Island presentations next to it. */
  get card(): Locator {
    return this.presentation("lock-screen");
  }

  presentation(name: string): Locator {
    return this.page.locator(`[data-testid="activity-card"][data-presentation="${name}"]`);
  }

  get liveStatus(): Locator {
    return this.page.getByTestId("live-status");
  }

  get timelineEvents(): Locator {
    return this.page.getByTestId("timeline-event");
  }

  get phonePayload(): Locator {
    return this.page.getByTestId("phone-payload");
  }

  get phonePayloadSize(): Locator {
    return this.page.getByTestId("phone-payload-size");
  }

  get endButton(): Locator {
    return this.page.getByRole("button", { name: "End card…" });
  }

  get endResult(): Locator {
    return this.page.getByTestId("end-activity-result");
  }

  /** Waits until the page shows its card and follows the live stream. */
  async waitUntilLive(): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.liveStatus).toHaveText("Live");
  }

  /** Reads the phone payload as the page shows it. */
  async readPhonePayload(): Promise<{ aps: Record<string, unknown> }> {
    return JSON.parse((await this.phonePayload.textContent()) ?? "") as {
      aps: Record<string, unknown>;
    };
  }

  /** Ends the card through the End form, confirming the chosen status. */
  async end(status: string, errorMessage?: string): Promise<void> {
    await this.page.getByLabel("Status").selectOption(status);
    await this.endButton.click();
    if (errorMessage !== undefined) {
      await this.page.getByLabel(/Error message/).fill(errorMessage);
    }
    await this.page.getByRole("button", { name: `Confirm end as ${status}` }).click();
  }
}
