import { describe, expect, it } from "vitest";
import { eventsAfter, latestEventId } from "@/lib/live/events";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";

describe("live events", () => {
  it("eventsAfter returns the account's events in id order", async () => {
    const a = await createTestAccount();
    const b = await createTestAccount();
    const id = jobId();

    // Interleave two accounts' writes so the table contains B's events between A's ids.
    await postActivity("start", a.apiKey, runpodStart(id));
    await postActivity("start", b.apiKey, runpodStart(jobId()));
    await postActivity("update", a.apiKey, {
      schema_id: "@runpod",
      data: { key: id, gpuType: "RTX 4090" },
    });
    await postWebhook(b.webhookKey, { id: jobId(), status: "COMPLETED" });
    await postWebhook(a.webhookKey, { id, status: "COMPLETED", output: 1 });

    const all = await eventsAfter({ accountId: a.account.id, afterId: 0 });
    expect(all.map((event) => event.type)).toEqual(["start", "update", "delivery"]);
    expect(all.map((event) => event.stateAfter)).toEqual(["queued", "running", "completed"]);
    expect(all.every((event) => event.accountId === a.account.id)).toBe(true);
    const ids = all.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(3);

    const rest = await eventsAfter({ accountId: a.account.id, afterId: ids[0]! });
    expect(rest.map((event) => event.id)).toEqual(ids.slice(1));

    const none = await eventsAfter({ accountId: a.account.id, afterId: ids[2]! });
    expect(none).toEqual([]);

    const limited = await eventsAfter({ accountId: a.account.id, afterId: 0, limit: 2 });
    expect(limited.map((event) => event.id)).toEqual(ids.slice(0, 2));

    const ofB = await eventsAfter({ accountId: b.account.id, afterId: 0 });
    expect(ofB).toHaveLength(2);
    expect(ofB.some((event) => ids.includes(event.id))).toBe(false);
  });

  it("latestEventId follows the account's writes", async () => {
    const a = await createTestAccount();
    const b = await createTestAccount();
    expect(await latestEventId({ accountId: a.account.id })).toBe(0);

    await postActivity("start", a.apiKey, runpodStart(jobId()));
    const afterStart = await latestEventId({ accountId: a.account.id });
    const [startEvent] = await eventsAfter({ accountId: a.account.id, afterId: 0 });
    expect(afterStart).toBe(startEvent?.id);

    await postActivity("start", b.apiKey, runpodStart(jobId()));
    expect(await latestEventId({ accountId: a.account.id })).toBe(afterStart);
    expect(await latestEventId({ accountId: b.account.id })).toBeGreaterThan(afterStart);

    const delivery = await postWebhook(a.webhookKey, { id: jobId(), status: "COMPLETED" });
    expect(delivery.status).toBe(200);
    const latest = await latestEventId({ accountId: a.account.id });
    expect(latest).toBeGreaterThan(afterStart);
    const newest = await eventsAfter({ accountId: a.account.id, afterId: afterStart });
    expect(newest.map((event) => event.id)).toEqual([latest]);
    expect(typeof latest).toBe("number");
  });
});
