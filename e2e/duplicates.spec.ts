import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { BoardPage } from "./pages/board-page";
import { DuplicatesPage } from "./pages/duplicates-page";
import { openDuplicateCards } from "./support/cards";
import { postActivity } from "./support/chirp-api";

test.describe("duplicate cards", () => {
  test("merge from the page, then undo from the timeline", async ({ board, keys, page }) => {
    const duplicates = new DuplicatesPage(page);
    await duplicates.goto();
    await expect(duplicates.emptyState).toBeVisible();

    const { runName, jobId } = await openDuplicateCards(keys);
    const original = await postActivity("start", keys.apiKey, { key: runName });
    const originalId = original.json.activity.id as string;

    await board.goto();
    await expect(board.card(runName)).toHaveAttribute("data-state", "queued");
    await expect(board.card(jobId)).toHaveAttribute("data-state", "completed");
    const badge = page.getByTestId("duplicates-badge");
    await expect(badge).toContainText("1 possible duplicate card");

    // A second tab keeps the board open to see the merge arrive live.
    const liveBoard = new BoardPage(await page.context().newPage());
    await liveBoard.goto();
    await liveBoard.markDocument();

    await badge.click();
    await expect(duplicates.heading).toBeVisible();
    const group = duplicates.group(runName);
    await expect(group).toHaveAttribute("data-rule", "webhook_for_unknown_job");
    await expect(group.getByTestId("group-cause")).toContainText(`"${runName}"`);
    await expect(group.getByTestId("group-fix")).toContainText("Pass RunPod's job id");
    await expect(group.getByTestId("group-snippet")).toContainText('"key":"JOB_ID"');
    await expect(group).toContainText("client start (POST /v1/activity/start)");
    await expect(group).toContainText("webhook (RunPod's completion webhook");

    await group.getByTestId("merge-group").click();
    await expect(page.getByTestId("toast")).toContainText("Merged 2 cards");
    await expect(duplicates.emptyState).toBeVisible();

    await expect(liveBoard.card(runName)).toHaveAttribute("data-state", "completed");
    await expect(liveBoard.card(jobId)).toHaveAttribute("data-state", "merged");
    expect(await liveBoard.keptDocument(), "the board updated without a reload").toBe(true);
    await expect(liveBoard.card(jobId).getByTestId("merged-into-link")).toHaveAttribute(
      "href",
      `/activities/${originalId}`,
    );

    const detail = new ActivityPage(page);
    await page.goto(`/activities/${originalId}`);
    await detail.waitUntilLive();
    const mergeEvent = detail.timelineEvents.filter({ hasText: "Merged 2 cards" });
    await expect(mergeEvent).toHaveAttribute("data-type", "merge");
    await mergeEvent.getByTestId("undo-merge").click();
    await expect(page.getByTestId("toast")).toContainText("Merge undone");

    await expect(liveBoard.card(runName)).toHaveAttribute("data-state", "queued");
    await expect(liveBoard.card(jobId)).toHaveAttribute("data-state", "completed");
    await duplicates.goto();
    await expect(duplicates.group(runName)).toHaveCount(1);
  });
});
