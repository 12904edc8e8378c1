import type { Page } from "@playwright/test";
import type { ActivityView } from "@/lib/activities/view";
import { expect, test } from "./fixtures";
import {
  completedStatusObject,
  newJobId,
  postActivity,
  postWebhook,
  startActivity,
} from "./support/chirp-api";
import { BASE_URL } from "./support/environment";
import { openEventStream, type StreamMessage } from "./support/event-stream";

interface LiveEvent {
  id: number;
  type: "start" | "update" | "end" | "delivery";
  source: "api" | "webhook" | "dashboard";
  stateBefore: string | null;
  stateAfter: string;
  runpodStatus: string | null;
  createdAt: string;
}

/** Reads the signed-in page's cookies as a Cookie header for requests made outside it. */
async function sessionCookie(page: Page): Promise<string> {
  const cookies = await page.context().cookies(BASE_URL);
  return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

/** Checks the frame of an `activity` message and returns its parsed data. */
function readActivityMessage(message: StreamMessage | undefined): {
  id: string;
  event: LiveEvent;
  activity: ActivityView;
} {
  expect(message, "a message arrived").toBeDefined();
  const { id, event, data } = message!;
  expect(event).toBe("activity");
  const parsed = JSON.parse(data) as { event: LiveEvent; activity: ActivityView };
  expect(id, "the message id is the event id").toBe(String(parsed.event.id));
  return { id: id!, event: parsed.event, activity: parsed.activity };
}

test.describe("live stream", () => {
  test("resume sends exactly the missed events", async ({ page, keys }) => {
    const cookie = await sessionCookie(page);
    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);

    const first = await openEventStream(`${BASE_URL}/api/live?after=0`, { cookie });
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get("content-type")).toContain("text/event-stream");
    expect(first.response.headers.get("cache-control")).toContain("no-cache");
    expect(first.response.headers.get("cache-control")).toContain("no-transform");
    const started = readActivityMessage(await first.next(10_000));
    expect(started.event.type).toBe("start");
    expect(started.activity.key).toBe(jobId);
    expect(started.activity.state).toBe("queued");
    first.close();

    const update = await postActivity("update", keys.apiKey, { key: jobId, queuePosition: 3 });
    expect(update.status).toBe(200);
    const delivery = await postWebhook(keys.webhookUrl, completedStatusObject(jobId));
    expect(delivery.status).toBe(200);

    // `after=0` alone would replay the start as well: Last-Event-ID takes precedence.
    const resumed = await openEventStream(`${BASE_URL}/api/live?after=0`, {
      cookie,
      "last-event-id": started.id,
    });
    expect(resumed.response.status).toBe(200);

    const missedUpdate = readActivityMessage(await resumed.next(10_000));
    expect(missedUpdate.event.type).toBe("update");
    expect(missedUpdate.event.source).toBe("api");
    expect(missedUpdate.event.id).toBeGreaterThan(started.event.id);
    expect(missedUpdate.activity.key).toBe(jobId);
    expect(missedUpdate.activity.queuePosition).toBe(3);

    const missedDelivery = readActivityMessage(await resumed.next(10_000));
    expect(missedDelivery.event.type).toBe("delivery");
    expect(missedDelivery.event.source).toBe("webhook");
    expect(missedDelivery.event.stateBefore).toBe("queued");
    expect(missedDelivery.event.stateAfter).toBe("completed");
    expect(missedDelivery.event.runpodStatus).toBe("COMPLETED");
    expect(missedDelivery.event.id).toBeGreaterThan(missedUpdate.event.id);
    expect(missedDelivery.activity.state).toBe("completed");

    expect(await resumed.next(1500), "nothing beyond the missed events").toBeUndefined();
    resumed.close();
  });

  test("status tells connecting from reconnecting", async ({ page, account: _account, board }) => {
    // The board's first stream request is held open, then failed; later ones go through.
    let failFirstStream: (() => void) | undefined;
    let held = false;
    const firstStreamHeld = new Promise<void>((resolve) => {
      void page.route("**/api/live?*", async (route) => {
        if (held) return route.continue();
        held = true;
        resolve();
        await new Promise<void>((release) => {
          failFirstStream = release;
        });
        await route.abort();
      });
    });
    await page.goto("/");
    await firstStreamHeld;
    await expect(board.liveStatus).toHaveText("Connecting…");

    failFirstStream?.();
    await expect(board.liveStatus).toHaveText("Reconnecting…");
    await expect(board.liveStatus).toHaveText("Live");
  });

  test("stream pushes a change while connected", async ({ page, keys }) => {
    const cookie = await sessionCookie(page);
    const stream = await openEventStream(`${BASE_URL}/api/live?after=0`, { cookie });
    expect(stream.response.status).toBe(200);
    expect(await stream.next(1000), "a new account has no events").toBeUndefined();

    const jobId = newJobId();
    expect((await startActivity(keys.apiKey, jobId)).status).toBe(201);
    const started = readActivityMessage(await stream.next(5000));
    expect(started.event.type).toBe("start");
    expect(started.activity.key).toBe(jobId);
    stream.close();
  });
});
