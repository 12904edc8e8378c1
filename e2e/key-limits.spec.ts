import { expect, test } from "./fixtures";
import { completedStatusObject, ENDPOINT_ID, newJobId, postWebhook } from "./support/chirp-api";
import { postOutOfScopeDelivery } from "./support/scoped-key";

test.describe("key limits and scopes", () => {
  test("rate limit from the keys page applies", async ({ keys, keysPage }) => {
    await keysPage.goto();
    await keysPage.setRateLimit(keys.webhookKeyId, "1", "1");
    await expect(keysPage.row(keys.webhookKeyId).getByTestId("key-rate-limit")).toHaveText(
      "1/s, burst 1",
    );

    const first = await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()));
    const second = await postWebhook(keys.webhookUrl, completedStatusObject(newJobId()));

    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.json.error.code).toBe("rate_limited");
  });

  test("invalid burst names the value", async ({ keys, keysPage }) => {
    await keysPage.goto();
    await keysPage.setRateLimit(keys.webhookKeyId, "5", "0");

    await expect(keysPage.formAlert("Rate limit")).toContainText(
      "The burst 0 is invalid: it must be a whole number from 1 to 1,000,000.",
    );
    const form = keysPage.page.getByRole("form", { name: "Rate limit" });
    await expect(form.getByLabel("Burst", { exact: true }), "the typed value stays").toHaveValue(
      "0",
    );
    await expect(keysPage.row(keys.webhookKeyId).getByTestId("key-rate-limit")).toContainText(
      "(default)",
    );
  });

  test("scoped key leaves another endpoint's card", async ({ keys, keysPage, deliveriesPage }) => {
    await postOutOfScopeDelivery(keys, keysPage);

    await deliveriesPage.page.goto("/deliveries");
    await expect(deliveriesPage.page.getByTestId("delivery-note").first()).toContainText(
      `is limited to endpoints scopedendpt001; this job's card is on endpoint ${ENDPOINT_ID}`,
    );
  });

  test("invalid endpoint id names the value", async ({ keys, keysPage }) => {
    await keysPage.goto();
    await keysPage.setEndpoints(keys.webhookKeyId, "Not-An-Endpoint");

    await expect(keysPage.formAlert("Endpoints")).toContainText(
      '"Not-An-Endpoint" is not a RunPod endpoint id',
    );
    const form = keysPage.page.getByRole("form", { name: "Endpoints" });
    await expect(form.getByLabel("RunPod endpoint ids", { exact: true })).toHaveValue(
      "Not-An-Endpoint",
    );
  });
});
