import { expect, type Locator, type Page } from "@playwright/test";

/** The Duplicates page at `/duplicates`: groups of cards that are likely one job. */
export class DuplicatesPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole("heading", { name: "Duplicates", exact: true });
  }

  get groups(): Locator {
    return this.page.getByTestId("duplicate-group");
  }

  get emptyState(): Locator {
    return this.page.getByTestId("duplicates-empty");
  }

  async goto(): Promise<void> {
    await this.page.goto("/duplicates");
    await expect(this.heading).toBeVisible();
  }

  /** Returns the open group that lists the card with this key. */
  group(cardKey: string): Locator {
    return this.groups.filter({ hasText: cardKey });
  }
}
