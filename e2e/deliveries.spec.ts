import { expect, test } from "./fixtures";
import { SignUpPage } from "./pages/auth-pages";
import { completedStatusObject, newJobId, postWebhook, webhookUrl } from "./support/chirp-api";
import { BASE_URL } from "./support/environment";
import { postOutOfScopeDelivery } from "./support/scoped-key";

test.describe("delivery log", () => {
  test("webhook delivery is shown redacted and replays without change", async ({
    page,
    keys,
    deliveriesPage,
  }) => {
    const jobId = newJobId();
    // RunPod echoes the webhook URL, key included, in every status object.
    const body = { ...completedStatusObject(jobId), webhook: webhookUrl(keys.webhookKey) };
    const delivery = await postWebhook(keys.webhookUrl, body);
    expect(delivery.status).toBe(200);
    const deliveryId = delivery.json.deliveryId as string;

    await deliveriesPage.goto();
    const row = deliveriesPage.row(deliveryId);
    await expect(row).toContainText(jobId);
    await expect(row).toContainText("COMPLETED");
    await expect(row).toContainText("e2e webhook");
    await expect(row).toContainText("200");

    await deliveriesPage.open(deliveryId);
    await expect(deliveriesPage.body).toContainText(`"id": "${jobId}"`);
    await expect(deliveriesPage.body).toContainText("key=[redacted]");
    await expect(deliveriesPage.curlCommand).toContainText(
      `${BASE_URL}/v1/webhooks/runpod?key=YOUR_WEBHOOK_KEY`,
    );
    await expect(page.getByTestId("delivery-card-link")).toHaveAttribute(
      "href",
      new RegExp(`^/activities/${delivery.json.activityId}$`),
    );

    const message = await deliveriesPage.replay();
    expect(message).toContain("completed → completed");
    expect(message).toContain("no change");
    await expect(
      deliveriesPage.replays,
      "the page lists the replay without a reload",
    ).toContainText("not applied, card was already completed");

    const html = await page.content();
    expect(html, "the webhook key never reaches the page").not.toContain(keys.webhookKey);
  });

  test("rejected delivery cannot be replayed", async ({ keys, deliveriesPage }) => {
    const delivery = await postWebhook(keys.webhookUrl, '{"id": "job-1", "status": ');
    expect(delivery.status).toBe(400);

    await deliveriesPage.goto();
    const row = deliveriesPage.rows.first();
    await expect(row).toContainText("400 invalid_json");
    const deliveryId = (await row.getAttribute("data-delivery-id")) ?? "";
    await deliveriesPage.open(deliveryId);
    await expect(deliveriesPage.replayButton).toBeDisabled();
    await expect(deliveriesPage.page.getByText(/rejected with 400 invalid_json/)).toBeVisible();
  });

  test("another account's delivery is not found", async ({ browser, keys }) => {
    const delivery = await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()));
    expect(delivery.status).toBe(200);

    const context = await browser.newContext();
    const otherPage = await context.newPage();
    await new SignUpPage(otherPage).signUp();
    const response = await otherPage.goto(`/deliveries/${delivery.json.deliveryId}`);
    expect(response?.status()).toBe(404);
    await expect(otherPage.getByRole("heading", { name: "Delivery not found" })).toBeVisible();
    await context.close();
  });

  test("log shows a replay that applied a scoped delivery", async ({
    keys,
    keysPage,
    deliveriesPage,
  }) => {
    const delivery = await postOutOfScopeDelivery(keys, keysPage);
    const deliveryId = delivery.json.deliveryId as string;

    await deliveriesPage.goto();
    const row = deliveriesPage.row(deliveryId);
    const note = row.getByTestId("delivery-note");
    const replay = row.getByTestId("delivery-replay");
    await expect(note).toContainText("is limited to endpoints scopedendpt001");
    await expect(replay, "a delivery never replayed shows no replay").toHaveCount(0);

    await deliveriesPage.open(deliveryId);
    expect(await deliveriesPage.replay()).toContain("queued → completed");
    await deliveriesPage.goto();
    await expect(note, "the outcome on receipt stays").toContainText(
      "is limited to endpoints scopedendpt001",
    );
    await expect(replay).toContainText("Replayed once");
    await expect(replay).toContainText("latest replay applied: card queued → completed");
    await expect(replay.getByRole("link")).toHaveAttribute(
      "href",
      new RegExp(`^/deliveries/${deliveryId}#replay-\\d+$`),
    );

    await deliveriesPage.open(deliveryId);
    expect(await deliveriesPage.replay()).toContain("completed → completed");
    await deliveriesPage.goto();
    await expect(replay).toContainText("Replayed 2 times");
    await expect(replay).toContainText("latest replay not applied: card was already completed");

    await replay.getByRole("link").click();
    await expect(deliveriesPage.page).toHaveURL(
      new RegExp(`/deliveries/${deliveryId}#replay-\\d+$`),
    );
    const target = new URL(deliveriesPage.page.url()).hash;
    await expect(deliveriesPage.page.locator(target)).toContainText(
      "not applied, card was already completed",
    );
    await expect(deliveriesPage.replays.locator("li")).toHaveCount(2);
  });

  test("log rows stack at a phone's width", async ({ page, keys, deliveriesPage }) => {
    await page.setViewportSize({ width: 375, height: 812 });
    const jobId = newJobId();
    const delivery = await postWebhook(keys.webhookUrl, completedStatusObject(jobId));
    expect(delivery.status).toBe(200);

    await deliveriesPage.goto();
    const row = deliveriesPage.row(delivery.json.deliveryId as string);
    await expect(row.getByText("Job id", { exact: true })).toBeVisible();
    const jobIdBox = await row.getByText(jobId).boundingBox();
    expect(jobIdBox, "the job id is shown").not.toBeNull();
    expect(jobIdBox!.x + jobIdBox!.width, "the job id ends on screen").toBeLessThanOrEqual(375);
    const status = row.getByText("COMPLETED", { exact: true });
    await expect(status).toBeInViewport();
    const sideways = await row.evaluate((element) => {
      const box = element.closest("div")!;
      return box.scrollWidth - box.clientWidth;
    });
    expect(sideways, "the log does not scroll sideways").toBe(0);
  });

  test("headers wrap between words at a phone's width", async ({ page, keys, deliveriesPage }) => {
    await page.setViewportSize({ width: 375, height: 812 });
    const response = await fetch(keys.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-forwarded-for": "203.0.113.9, 198.51.100.24",
        "x-envoy-expected-rq-timeout-ms": "15000",
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "user-agent": "python-requests/2.32.3 (RunPod webhook sender; worker e2eworker00001)",
      },
      body: JSON.stringify(completedStatusObject(newJobId())),
    });
    expect(response.status).toBe(200);
    const { deliveryId } = (await response.json()) as { deliveryId: string };

    await deliveriesPage.goto();
    await deliveriesPage.open(deliveryId);
    const table = page.getByTestId("delivery-headers");
    await expect(table).toContainText("x-envoy-expected-rq-timeout-ms");

    // Lists the words of each cell that lie on more than one line although they are no
    // wider than the table, so a line could hold them whole. A name is one such word.
    const splitWords = await table.evaluate((element) => {
      const split: string[] = [];
      const lineWidth = element.clientWidth;
      for (const cell of element.querySelectorAll("th, td")) {
        const text = cell.firstChild;
        if (!(text instanceof Text)) continue;
        const words = cell.tagName === "TH" ? [text.data] : text.data.split(" ");
        let offset = 0;
        for (const word of words) {
          const range = document.createRange();
          range.setStart(text, offset);
          range.setEnd(text, offset + word.length);
          offset += word.length + 1;
          const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
          const lines = new Set(boxes.map((box) => Math.round(box.top)));
          const width = boxes.reduce((total, box) => total + box.width, 0);
          if (lines.size > 1 && width < lineWidth) split.push(word);
        }
      }
      return split;
    });
    expect(splitWords, "words broken over lines").toEqual([]);

    const overflowingCells = await table
      .locator("th, td")
      .evaluateAll((cells) =>
        cells.filter((cell) => cell.scrollWidth > cell.clientWidth).map((cell) => cell.textContent),
      );
    expect(overflowingCells, "cells wider than their box").toEqual([]);
  });
});
