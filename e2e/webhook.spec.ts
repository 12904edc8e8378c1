import { expect, test } from "./fixtures";
import {
  completedStatusObject,
  newJobId,
  postWebhook,
  startActivity,
  webhookUrl,
} from "./support/chirp-api";
import { BASE_URL } from "./support/environment";

test.describe("webhook", () => {
  test("20 MB COMPLETED body closes the card", async ({ board, keys }) => {
    await board.goto();
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    await expect(board.card(jobId)).toHaveAttribute("data-state", "queued");

    // A base64 image as large as RunPod outputs get; more than the 10 MB at which Next's
    // proxy would cut a body it buffers.
    const image = Buffer.alloc(15 * 1024 * 1024, 7).toString("base64");
    const body = JSON.stringify(completedStatusObject(jobId, { images: [image] }));
    expect(Buffer.byteLength(body)).toBeGreaterThan(20_000_000);

    const delivery = await postWebhook(keys.webhookUrl, body);
    expect(delivery.status).toBe(200);
    expect(delivery.json.state).toBe("completed");
    expect(delivery.json.changed).toBe(true);

    const card = board.card(jobId);
    await expect(card).toHaveAttribute("data-state", "completed");
    await expect(card).toContainText("RunPod · COMPLETED");

    const again = await startActivity(keys.apiKey, jobId);
    expect(again.status, "start on a closed card returns it").toBe(200);
    expect(again.json.activity.state).toBe("completed");
    expect(again.json.activity.hasOutput).toBe(true);
  });
});

test.describe("validation", () => {
  test("webhook without a key is 401 missing_key", async () => {
    const delivery = await postWebhook(
      `${BASE_URL}/v1/webhooks/runpod`,
      completedStatusObject(newJobId()),
    );
    expect(delivery.status).toBe(401);
    expect(delivery.json.error.code).toBe("missing_key");
  });

  test("mistyped webhook key is 401 invalid_key", async ({ keys }) => {
    // One changed letter in the secret part breaks the key's signature.
    const parts = keys.webhookKey.split("_");
    parts[4] = `${parts[4]!.slice(0, -1)}${parts[4]!.endsWith("a") ? "b" : "a"}`;
    const delivery = await postWebhook(
      webhookUrl(parts.join("_")),
      completedStatusObject(newJobId()),
    );
    expect(delivery.status).toBe(401);
    expect(delivery.json.error.code).toBe("invalid_key");
  });

  test("webhook body that is not JSON is 400 invalid_json", async ({ keys }) => {
    const delivery = await postWebhook(keys.webhookUrl, '{"id": "job-1", "status": ');
    expect(delivery.status).toBe(400);
    expect(delivery.json.error.code).toBe("invalid_json");
  });

  test("API key in a webhook URL is 401 wrong_key_kind", async ({ keys }) => {
    const delivery = await postWebhook(webhookUrl(keys.apiKey), completedStatusObject(newJobId()));
    expect(delivery.status).toBe(401);
    expect(delivery.json.error.code).toBe("wrong_key_kind");
  });
});
