import { expect, test } from "./fixtures";
import { SignUpPage } from "./pages/auth-pages";
import { completedStatusObject, newJobId, postWebhook, webhookUrl } from "./support/chirp-api";
import { BASE_URL } from "./support/environment";

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
    ).toContainText("card stayed completed");

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
});
