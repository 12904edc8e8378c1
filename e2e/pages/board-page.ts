import { expect, type Locator, type Page } from "@playwright/test";

/** The board at `/`: one card per job, updated live over Server-Sent Events. */
export class BoardPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole("heading", { name: "Board", exact: true });
  }

  get liveStatus(): Locator {
    return this.page.getByTestId("live-status");
  }

  get cards(): Locator {
    return this.page.getByTestId("activity-card");
  }

  card(jobId: string): Locator {
    return this.page.locator(`[data-testid="activity-card"][data-key="${jobId}"]`);
  }

  /** Opens the board, with filters as query parameters, and waits for its live stream. */
  async goto(query = ""): Promise<void> {
    await this.page.goto(query ? `/?${query}` : "/");
    await expect(this.heading).toBeVisible();
    await expect(this.liveStatus).toHaveText("Live");
  }

  presentationOption(label: string): Locator {
    return this.page
      .getByRole("group", { name: "Card presentation" })
      .getByRole("radio", { name: label, exact: true });
  }

  /** Picks a presentation with the toggle and waits until the URL carries it. */
  async choosePresentation(label: string, parameter: string): Promise<void> {
    await this.presentationOption(label).check();
    await expect(this.page).toHaveURL(new RegExp(`[?&]presentation=${parameter}(&|$)`));
  }

  get filterErrors(): Locator {
    return this.page.getByTestId("filter-errors");
  }

  stateCount(state: string): Locator {
    return this.page.locator(`[data-testid="state-count"][data-state="${state}"]`);
  }

  /**
   * Marks the current document. A reload or navigation replaces the document and loses
   * the mark, so `keptDocument` proves that changes arrived without one.
   */
  async markDocument(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { chirpE2eMark?: boolean }).chirpE2eMark = true;
    });
  }

  async keptDocument(): Promise<boolean> {
    return this.page.evaluate(
      () => (window as unknown as { chirpE2eMark?: boolean }).chirpE2eMark === true,
    );
  }
}
