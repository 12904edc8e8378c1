import { describe, expect, it } from "vitest";
import { getActivityByKey } from "@/lib/activities/store";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";

describe("webhook closes a card", () => {
  it("submit, start, COMPLETED closes one card green", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    const start = await postActivity("start", apiKey, runpodStart(id));
    expect(start.status).toBe(201);
    expect(start.json.activity.state).toBe("queued");
    const delivery = await postWebhook(webhookKey, {
      id,
      status: "COMPLETED",
      executionTime: 157,
      output: { ok: 1 },
    });
    expect(delivery.status).toBe(200);
    expect(delivery.json.state).toBe("completed");
    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    expect(card?.hasOutput).toBe(true);
  });
});
