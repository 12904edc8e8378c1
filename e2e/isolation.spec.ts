import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { SignUpPage } from "./pages/auth-pages";
import { BoardPage } from "./pages/board-page";
import { KeysPage } from "./pages/keys-page";
import { completedStatusObject, newJobId, postWebhook, startActivity } from "./support/chirp-api";

/** Signs up a second account in a browser context of its own, with its board open. */
async function openOtherAccount(browser: Browser): Promise<{ page: Page; board: BoardPage }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new SignUpPage(page).signUp();
  const board = new BoardPage(page);
  await board.goto();
  return { page, board };
}

test.describe("isolation", () => {
  test("other account's board stays empty", async ({ browser, board, keys }) => {
    const other = await openOtherAccount(browser);
    await board.goto();

    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    expect((await postWebhook(keys.webhookUrl, completedStatusObject(jobId))).status).toBe(200);

    // Once A's board shows the card closed, both events have been sent on the live streams.
    await expect(board.card(jobId)).toHaveAttribute("data-state", "completed");
    await expect(other.board.cards).toHaveCount(0);

    await other.page.reload();
    await expect(other.board.heading).toBeVisible();
    await expect(other.board.cards).toHaveCount(0);
    await other.page.context().close();
  });

  test("same job id opens one card per account", async ({ browser, board, keys }) => {
    const other = await openOtherAccount(browser);
    const otherKeysPage = new KeysPage(other.page);
    await otherKeysPage.goto();
    const otherApiKey = await otherKeysPage.createKey("api", "other account");
    await other.board.goto();
    await board.goto();

    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    const otherStart = await startActivity(otherApiKey.key, jobId);
    expect(otherStart.status, "B's start creates B's own card").toBe(201);

    expect((await postWebhook(keys.webhookUrl, completedStatusObject(jobId))).status).toBe(200);

    await expect(board.card(jobId)).toHaveAttribute("data-state", "completed");
    await expect(other.board.card(jobId)).toHaveAttribute("data-state", "queued");
    await other.page.reload();
    await expect(other.board.card(jobId), "A's webhook left B's card open").toHaveAttribute(
      "data-state",
      "queued",
    );
    await other.page.context().close();
  });
});
