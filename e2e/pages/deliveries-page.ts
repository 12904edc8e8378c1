import { expect, type Locator, type Page } from "@playwright/test";

/** The delivery log at `/deliveries` and a delivery's page at `/deliveries/<id>`. */
export class DeliveriesPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole("heading", { name: "Deliveries", exact: true });
  }

  get rows(): Locator {
    return this.page.getByTestId("delivery-row");
  }

  row(deliveryId: string): Locator {
    return this.page.locator(`[data-testid="delivery-row"][data-delivery-id="${deliveryId}"]`);
  }

  get body(): Locator {
    return this.page.getByTestId("delivery-body");
  }

  get curlCommand(): Locator {
    return this.page.getByTestId("delivery-curl");
  }

  get replayButton(): Locator {
    return this.page.getByRole("button", { name: "Replay", exact: true });
  }

  /** The replays of the open delivery, as its page lists them. */
  get replays(): Locator {
    return this.page.getByTestId("delivery-replays");
  }

  get replayResult(): Locator {
    return this.page.getByTestId("replay-result");
  }

  async goto(): Promise<void> {
    await this.page.goto("/deliveries");
    await expect(this.heading).toBeVisible();
  }

  /** Opens a delivery's page from the time in its row of the log. */
  async open(deliveryId: string): Promise<void> {
    await this.row(deliveryId).getByRole("link").first().click();
    await expect(this.page).toHaveURL(new RegExp(`/deliveries/${deliveryId}$`));
    await expect(this.page.getByRole("heading", { name: `Delivery ${deliveryId}` })).toBeVisible();
  }

  /** Replays the open delivery and returns the message the page shows. */
  async replay(): Promise<string> {
    await this.replayButton.click();
    await expect(this.replayResult).toBeVisible();
    return (await this.replayResult.textContent()) ?? "";
  }
}
