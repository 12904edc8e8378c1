import { expect, test } from "./fixtures";
import { newJobId, startActivity } from "./support/chirp-api";

test.describe("card presentations", () => {
  test("toggle is keyboard operable and kept in the URL", async ({ board, keys, page }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await board.goto();
    await expect(board.card(jobId)).toHaveAttribute("data-presentation", "lock-screen");

    await board.presentationOption("Lock Screen").focus();
    await page.keyboard.press("ArrowRight");
    await expect(board.presentationOption("Compact")).toBeChecked();
    await expect(page).toHaveURL(/[?&]presentation=compact(&|$)/);
    await expect(board.card(jobId)).toHaveAttribute("data-presentation", "compact");

    await page.getByRole("combobox", { name: /^State\b/ }).selectOption("queued");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page, "the filter form keeps the presentation").toHaveURL(
      /[?&]state=queued.*presentation=compact|presentation=compact.*state=queued/,
    );
    await expect(board.card(jobId)).toHaveAttribute("data-presentation", "compact");

    await board.stateCount("queued").click();
    await expect(page, "a state counter keeps the presentation").toHaveURL(
      /\/\?presentation=compact$/,
    );
    await page.reload();
    await expect(board.presentationOption("Compact")).toBeChecked();
    await expect(board.card(jobId)).toHaveAttribute("data-presentation", "compact");

    await page.getByRole("link", { name: "Clear" }).click();
    await expect(page, "clearing the filters keeps the presentation").toHaveURL(
      /\/\?presentation=compact$/,
    );
  });

  test("unknown presentation is named and ignored", async ({ board, keys }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await board.goto("presentation=island");
    await expect(board.filterErrors).toContainText(
      "presentation=island is not a card presentation",
    );
    await expect(board.card(jobId)).toHaveAttribute("data-presentation", "lock-screen");
  });

  test("detail page shows all four presentations", async ({ board, keys, page }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await board.goto();
    await board.card(jobId).getByTestId("activity-detail-link").click();
    await expect(page.getByRole("heading", { name: "Activity", exact: true })).toBeVisible();

    for (const presentation of ["lock-screen", "compact", "minimal", "expanded"]) {
      const card = page.locator(
        `[data-testid="activity-card"][data-presentation="${presentation}"]`,
      );
      await expect(card, presentation).toHaveAttribute("data-state", "queued");
    }
    await expect(
      page.getByRole("img", { name: "e2e-render, QUEUED" }),
      "each island is named by the job name and state",
    ).toHaveCount(3);
  });
});
