import { expect, test } from "./fixtures";
import { ActivityPage } from "./pages/activity-page";
import { SignUpPage } from "./pages/auth-pages";
import { BoardPage } from "./pages/board-page";
import {
  completedStatusObject,
  ENDPOINT_ID,
  newJobId,
  postActivity,
  postWebhook,
  startActivity,
} from "./support/chirp-api";

test.describe("activity detail", () => {
  test("ending a card as CANCELLED turns it orange", async ({ board, keys, page }) => {
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    const update = await postActivity("update", keys.apiKey, {
      key: jobId,
      gpuType: "NVIDIA A100 80GB",
    });
    expect(update.status).toBe(200);

    await board.goto();
    const card = board.card(jobId);
    await expect(card).toHaveAttribute("data-state", "running");
    await expect(card.getByTestId("runpod-console-link")).toHaveAttribute(
      "href",
      `https://console.runpod.io/serverless/user/endpoint/${ENDPOINT_ID}`,
    );
    await card.getByTestId("activity-detail-link").click();

    const detail = new ActivityPage(page);
    await detail.waitUntilLive();
    await expect(page).toHaveURL(/\/activities\/act_/);
    await expect(detail.card).toContainText("RunPod · RUNNING");
    await expect(detail.card).toContainText("NVIDIA A100 80GB");
    await expect(detail.timelineEvents).toHaveCount(2);
    await expect(detail.timelineEvents.nth(0)).toHaveAttribute("data-type", "start");
    await expect(detail.timelineEvents.nth(0)).toHaveAttribute("data-source", "api");
    await expect(detail.timelineEvents.nth(1)).toHaveAttribute("data-type", "update");
    await expect(detail.timelineEvents.nth(1)).toContainText("QUEUED → RUNNING");
    await expect(detail.timelineEvents.nth(1)).toContainText('"gpuType": "NVIDIA A100 80GB"');

    const running = await detail.readPhonePayload();
    expect(running.aps.event).toBe("update");
    expect(running.aps["content-state"]).toMatchObject({
      state: "running",
      statusWord: "RUNNING",
      actionLine: "NVIDIA A100 80GB",
      color: "purple",
    });
    expect(running.aps["stale-date"]).toEqual(expect.any(Number));
    await expect(detail.phonePayloadSize).toContainText(
      `${Buffer.byteLength(JSON.stringify(running))} bytes of 4096`,
    );

    await detail.end("CANCELLED", "Stopped by hand: wrong prompt");

    await expect(detail.endResult).toHaveText("Card ended as CANCELLED.");
    await expect(detail.card).toHaveAttribute("data-state", "cancelled");
    await expect(detail.card).toContainText("Stopped by hand: wrong prompt");
    await expect(detail.endButton, "a closed card has no End control").toHaveCount(0);
    await expect(detail.timelineEvents).toHaveCount(3);
    await expect(detail.timelineEvents.nth(2)).toHaveAttribute("data-type", "end");
    await expect(detail.timelineEvents.nth(2)).toHaveAttribute("data-source", "dashboard");
    await expect(detail.timelineEvents.nth(2)).toContainText("RUNNING → CANCELLED");
    await expect.poll(async () => (await detail.readPhonePayload()).aps.event).toBe("end");
    const ended = await detail.readPhonePayload();
    expect(ended.aps["content-state"]).toMatchObject({ state: "cancelled", color: "orange" });
    expect(ended.aps["dismissal-date"]).toEqual(expect.any(Number));

    await page.getByRole("link", { name: "← Board" }).click();
    await expect(board.heading).toBeVisible();
    await expect(card).toHaveAttribute("data-state", "cancelled");
    await expect(card).toHaveAttribute("data-color", "orange");
    await expect(card).toContainText("RunPod · CANCELLED");
    await expect(card.getByText("RunPod · CANCELLED"), "the header is orange").toHaveClass(
      /text-orange-/,
    );
  });

  test("timeline links a delivery to its page", async ({ keys, page }) => {
    const jobId = newJobId();
    const delivery = await postWebhook(keys.webhookUrl, completedStatusObject(jobId));
    expect(delivery.status).toBe(200);
    const { deliveryId, activityId } = delivery.json as { deliveryId: string; activityId: string };

    await page.goto(`/activities/${activityId}`);
    await new ActivityPage(page).timelineEvents
      .getByTestId("timeline-delivery-link")
      .filter({ hasText: deliveryId })
      .click();

    await expect(page).toHaveURL(new RegExp(`/deliveries/${deliveryId}$`));
    await expect(page.getByText(jobId).first()).toBeVisible();
  });

  test("other account's card is not found", async ({ browser, keys, page }) => {
    const jobId = newJobId();
    const started = await startActivity(keys.apiKey, jobId);
    expect(started.status).toBe(201);
    const detailPath = `/activities/${started.json.activity.id}`;
    const own = await page.goto(detailPath);
    expect(own?.status()).toBe(200);

    const context = await browser.newContext();
    const otherPage = await context.newPage();
    await new SignUpPage(otherPage).signUp();
    await new BoardPage(otherPage).goto();

    const response = await otherPage.goto(detailPath);

    expect(response?.status()).toBe(404);
    await expect(otherPage.getByRole("heading", { name: "Card not found" })).toBeVisible();
    await expect(otherPage.getByText(jobId)).toHaveCount(0);
    await context.close();
  });
});
