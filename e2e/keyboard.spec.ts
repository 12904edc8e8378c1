import { expect, test } from "./fixtures";
import { newJobId, startActivity } from "./support/chirp-api";

test.describe("keyboard", () => {
  test("skip link moves focus to the content", async ({ board, account: _account, page }) => {
    await board.goto();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await expect(skip, "the skip link shows once focused").toBeVisible();
    await page.keyboard.press("Enter");
    await expect(page.locator("main")).toBeFocused();
  });

  test("Enter on a board card opens it", async ({ board, keys, page }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await board.goto("presentation=compact");

    const card = board.card(jobId);
    let reached = false;
    for (let press = 0; press < 40 && !reached; press++) {
      await page.keyboard.press("Tab");
      reached = await card.evaluate((element) => element === document.activeElement);
    }
    expect(reached, "Tab reaches the card").toBe(true);
    const outline = await card.evaluate((element) => getComputedStyle(element).outlineStyle);
    expect(outline, "the focused card shows a focus ring").not.toBe("none");

    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/activities\/act_/);
  });

  test("toast reports a revoked key", async ({ keys, keysPage, page }) => {
    await keysPage.goto();
    await keysPage.revoke(keys.apiKeyId);

    const toast = page.getByTestId("toast");
    await expect(toast).toContainText("Revoked “e2e api”.");
    await expect(toast).toHaveAttribute("data-tone", "success");
    await expect(page.getByRole("region", { name: "Notifications" })).toHaveAttribute(
      "aria-live",
      "polite",
    );
    await toast.getByRole("button", { name: "Dismiss notification" }).click();
    await expect(toast).toHaveCount(0);
  });

  test("copied link toast hides by itself", async ({ account: _account, board, page }) => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await board.goto("state=failed&presentation=minimal");
    await page.getByRole("button", { name: "Copy link" }).click();
    const toast = page.getByTestId("toast");
    await expect(toast).toContainText("Link to this view copied.");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(page.url());
    await expect(toast, "the toast hides after six seconds").toHaveCount(0, { timeout: 10_000 });
  });
});
