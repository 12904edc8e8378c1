import { expect, type Locator, type Page } from "@playwright/test";
import { BASE_URL } from "../support/environment";

export type KeyKind = "webhook" | "api";

export interface CreatedKey {
  key: string;
  /** The key's record id, `key_` followed by the id part of the key. */
  keyId: string;
}

const KEY_PATTERN = /^chirp_(wh|api)_[0-9a-f]{4}_[a-z0-9]{16}_[0-9A-Za-z]{32}_[0-9a-f]{32}$/;

/** The keys page at `/keys`: create keys, see each one once, revoke them. */
export class KeysPage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole("heading", { name: "Keys", exact: true });
  }

  get newKey(): Locator {
    return this.page.getByTestId("new-key");
  }

  get rows(): Locator {
    return this.page.getByTestId("key-row");
  }

  row(keyId: string): Locator {
    return this.page.locator(`[data-testid="key-row"][data-key-id="${keyId}"]`);
  }

  async goto(): Promise<void> {
    await this.page.goto("/keys");
    await expect(this.heading).toBeVisible();
  }

  /** Creates a key through the form and reads it from the one-time display. */
  async createKey(kind: KeyKind, name: string): Promise<CreatedKey> {
    const previous = (await this.newKey.count()) > 0 ? await this.newKey.textContent() : null;
    await this.page.getByLabel("Kind", { exact: true }).selectOption(kind);
    await this.page.getByLabel("Name", { exact: true }).fill(name);
    await this.page.getByRole("button", { name: "Create key", exact: true }).click();

    await expect(this.newKey).toHaveText(kind === "webhook" ? /^chirp_wh_/ : /^chirp_api_/);
    if (previous !== null) await expect(this.newKey).not.toHaveText(previous);
    const key = (await this.newKey.textContent()) ?? "";
    expect(key, "the new-key element holds exactly the key").toMatch(KEY_PATTERN);

    const keyId = `key_${key.split("_")[3]}`;
    await expect(this.row(keyId)).toBeVisible();
    if (kind === "webhook") {
      await expect(this.page.getByText(webhookUrlFor(key)).first()).toBeVisible();
    }
    return { key, keyId };
  }

  /** Revokes a key, confirming with the second click or the "Confirm revoke" button. */
  async revoke(keyId: string): Promise<void> {
    const row = this.row(keyId);
    await row.getByRole("button", { name: "Revoke", exact: true }).click();
    const confirm = row.getByRole("button", { name: "Confirm revoke", exact: true });
    const hasConfirmButton = await confirm
      .waitFor({ state: "visible", timeout: 2000 })
      .then(() => true)
      .catch(() => false);
    if (hasConfirmButton) await confirm.click();
    else await row.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(row).toContainText("Revoked");
  }

  /** Rerolls a key with the chosen grace period and reads the new value from the one-time display. */
  async reroll(keyId: string, grace: GraceLabel): Promise<string> {
    const row = this.row(keyId);
    await row.getByRole("button", { name: "Reroll", exact: true }).click();
    await this.page
      .getByLabel("Old value keeps working", { exact: true })
      .selectOption({ label: grace });
    await this.page.getByRole("button", { name: "Confirm reroll", exact: true }).click();

    await expect(this.newKey).toHaveCount(1);
    const key = (await this.newKey.textContent()) ?? "";
    expect(key, "the new-key element holds exactly the key").toMatch(KEY_PATTERN);
    expect(`key_${key.split("_")[3]}`, "a reroll keeps the key id").toBe(keyId);
    return key;
  }

  /** Returns the error shown by one of a key's forms, such as "Rate limit" or "Endpoints". */
  formAlert(formName: string): Locator {
    return this.page.getByRole("form", { name: formName }).getByRole("alert");
  }

  /** Submits a key's rate limit form; check the row or the alert afterwards. */
  async setRateLimit(keyId: string, perSecond: string, burst: string): Promise<void> {
    const row = this.row(keyId);
    await row.getByRole("button", { name: "Rate limit", exact: true }).click();
    const form = this.page.getByRole("form", { name: "Rate limit" });
    await form.getByLabel("Requests per second", { exact: true }).fill(perSecond);
    await form.getByLabel("Burst", { exact: true }).fill(burst);
    await form.getByRole("button", { name: "Save limit", exact: true }).click();
  }

  /** Submits a webhook key's endpoint list; check the row or the alert afterwards. */
  async setEndpoints(keyId: string, endpointIds: string): Promise<void> {
    const row = this.row(keyId);
    await row.getByRole("button", { name: "Endpoints", exact: true }).click();
    const form = this.page.getByRole("form", { name: "Endpoints" });
    await form.getByLabel("RunPod endpoint ids", { exact: true }).fill(endpointIds);
    await form.getByRole("button", { name: "Save endpoints", exact: true }).click();
  }
}

/** How long a rerolled key's old value keeps working, as the reroll form offers it. */
export type GraceLabel = "Stops now" | "1 hour" | "24 hours";

/** Returns the webhook URL that the keys page shows for a webhook key. */
export function webhookUrlFor(key: string): string {
  return `${BASE_URL}/v1/webhooks/runpod?key=${key}`;
}
