import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getActivityByKey } from "@/lib/activities/store";
import { getDb } from "@/lib/db/client";
import { activities, deliveries } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { newId } from "@/lib/ids";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliver, deliveriesOf, eventsOf } from "@/lib/testing/records";
import { curlCommand, WEBHOOK_KEY_PLACEHOLDER } from "./format";
import { getDelivery, listDeliveries } from "./queries";
import { replayDelivery } from "./replay";

async function onlyDelivery(accountId: string) {
  const rows = await deliveriesOf(accountId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function replayError(accountId: string, deliveryId: string): Promise<ApiError> {
  const error = await replayDelivery({ accountId, deliveryId }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("stored status object", () => {
  it("is stored for an accepted delivery", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    await deliver(webhookKey, {
      id,
      status: "FAILED",
      delayTime: 900,
      executionTime: 210.4,
      workerId: "k7m2q9x4v1b8n3",
      error: `upload to https://chirp.test/v1/webhooks/runpod?key=${webhookKey} failed`,
      webhook: `https://chirp.test/v1/webhooks/runpod?key=${webhookKey}`,
    });

    const delivery = await onlyDelivery(account.id);
    expect(delivery.statusObject).toEqual({
      id,
      status: "FAILED",
      delayTime: 900,
      executionTime: 210,
      workerId: "k7m2q9x4v1b8n3",
      error: "upload to https://chirp.test/v1/webhooks/runpod?key=[redacted] failed",
      hasOutput: false,
    });
  });

  it("keeps a JSON-encoded error as received", async () => {
    const { account, webhookKey } = await createTestAccount();
    const error =
      '{"error_type": "<class \'ValueError\'>", "error_message": "bad input", "error_traceback": "Traceback ..."}';
    await deliver(webhookKey, { id: jobId(), status: "FAILED", error });

    const delivery = await onlyDelivery(account.id);
    expect(delivery.statusObject?.error).toBe(error);
    const card = await getActivityByKey({ accountId: account.id, key: delivery.jobId! });
    expect(card?.errorMessage).toBe("bad input");
  });

  it("is null for a rejected delivery", async () => {
    const { account, webhookKey } = await createTestAccount();
    const response = await postWebhook(webhookKey, '{"id": "job-1", "status": ');
    expect(response.status).toBe(400);

    const delivery = await onlyDelivery(account.id);
    expect(delivery.responseStatus).toBe(400);
    expect(delivery.errorCode).toBe("invalid_json");
    expect(delivery.statusObject).toBeNull();
  });
});

describe("delivery log queries", () => {
  it("list and detail are per account", async () => {
    const a = await createTestAccount();
    const b = await createTestAccount();
    await deliver(a.webhookKey, { id: jobId(), status: "COMPLETED", output: 1 });
    const [delivery] = await deliveriesOf(a.account.id);

    const listA = await listDeliveries({ accountId: a.account.id });
    expect(listA.deliveries.map((row) => row.id)).toEqual([delivery!.id]);
    expect(listA.deliveries[0]?.keyName).toBe("test webhook");

    const listB = await listDeliveries({ accountId: b.account.id });
    expect(listB.deliveries).toEqual([]);
    expect(listB.nextBefore).toBeNull();
    expect(
      await getDelivery({ accountId: b.account.id, deliveryId: delivery!.id }),
    ).toBeUndefined();
    expect((await replayError(b.account.id, delivery!.id)).code).toBe("not_found");
    await expect(
      listDeliveries({ accountId: b.account.id, before: delivery!.id }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("detail joins the key name", async () => {
    const { account, webhookKey } = await createTestAccount();
    await deliver(webhookKey, { id: jobId(), status: "IN_QUEUE" });
    const [delivery] = await deliveriesOf(account.id);

    const detail = await getDelivery({ accountId: account.id, deliveryId: delivery!.id });
    expect(detail?.keyName).toBe("test webhook");
    expect(detail?.body).toBe(delivery!.body);
    expect(detail?.statusObject).toEqual(delivery!.statusObject);
  });

  it("pagination returns every delivery exactly once", async () => {
    const { account, webhookKeyId } = await createTestAccount();
    const db = await getDb();
    // Several deliveries share one timestamp so that the id decides their order.
    const shared = new Date("2026-03-01T12:00:00.000Z");
    const rows = Array.from({ length: 11 }, (_, index) => ({
      id: newId("dlv"),
      accountId: account.id,
      keyId: webhookKeyId,
      receivedAt: index % 3 === 0 ? shared : new Date(shared.getTime() + index * 1000),
      responseStatus: 400,
      errorCode: "invalid_json",
      headers: {},
      body: "{",
      bodyBytes: 1,
      bodySha256: "0".repeat(64),
      bodyTruncated: false,
    }));
    await db.insert(deliveries).values(rows);

    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await listDeliveries({ accountId: account.id, before, limit: 3 });
      expect(page.deliveries.length).toBeLessThanOrEqual(3);
      seen.push(...page.deliveries.map((row) => row.id));
      before = page.nextBefore ?? undefined;
      pages++;
    } while (before !== undefined && pages < 10);

    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(rows.map((row) => row.id).sort());
    const expectedOrder = [...rows]
      .sort((x, y) => y.receivedAt.getTime() - x.receivedAt.getTime() || (x.id < y.id ? 1 : -1))
      .map((row) => row.id);
    expect(seen).toEqual(expectedOrder);
  });
});

describe("replays in the delivery log", () => {
  it("counts replays and keeps the latest", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    await deliver(webhookKey, { id, status: "IN_PROGRESS" });
    await deliver(webhookKey, { id, status: "COMPLETED", executionTime: 157 });
    const inProgress = (await deliveriesOf(account.id)).find(
      (row) => row.runpodStatus === "IN_PROGRESS",
    )!;

    const untouched = await listDeliveries({ accountId: account.id });
    expect(untouched.deliveries.map((row) => row.replays)).toEqual([null, null]);

    await replayDelivery({ accountId: account.id, deliveryId: inProgress.id });
    await replayDelivery({ accountId: account.id, deliveryId: inProgress.id });
    const { deliveries: rows } = await listDeliveries({ accountId: account.id });
    const replayed = rows.find((row) => row.id === inProgress.id)!;
    const other = rows.find((row) => row.id !== inProgress.id)!;

    expect(other.replays).toBeNull();
    expect(replayed.note).toBeNull();
    expect(replayed.replays?.count).toBe(2);
    const lastEvent = (await eventsOf(account.id)).at(-1)!;
    expect(replayed.replays?.latest).toEqual({
      id: lastEvent.id,
      stateBefore: "completed",
      stateAfter: "completed",
      runpodStatus: "IN_PROGRESS",
      createdAt: lastEvent.createdAt,
    });
  });

  it("ignores another account's events", async () => {
    const owner = await createTestAccount();
    const other = await createTestAccount();
    await deliver(owner.webhookKey, { id: jobId(), status: "COMPLETED" });
    const delivery = await onlyDelivery(owner.account.id);
    await replayDelivery({ accountId: owner.account.id, deliveryId: delivery.id });

    const { deliveries: rows } = await listDeliveries({ accountId: owner.account.id });
    expect(rows[0]?.replays?.count).toBe(1);
    expect((await listDeliveries({ accountId: other.account.id })).deliveries).toEqual([]);
  });
});

describe("replay", () => {
  it("COMPLETED onto its closed card changes nothing", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    await deliver(webhookKey, { id, status: "COMPLETED", executionTime: 157, output: "done" });
    const delivery = await onlyDelivery(account.id);
    const before = await getActivityByKey({ accountId: account.id, key: id });

    const result = await replayDelivery({ accountId: account.id, deliveryId: delivery.id });
    expect(result.activityId).toBe(before?.id);
    expect(result.stateBefore).toBe("completed");
    expect(result.state).toBe("completed");
    expect(result.changed).toBe(false);

    const again = await replayDelivery({ accountId: account.id, deliveryId: delivery.id });
    expect(again.changed).toBe(false);

    const after = await getActivityByKey({ accountId: account.id, key: id });
    expect(after?.state).toBe("completed");
    expect(after?.closedAt?.getTime()).toBe(before?.closedAt?.getTime());
    expect(after?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());

    const events = await eventsOf(account.id);
    expect(events).toHaveLength(3);
    const replays = events.slice(1);
    for (const event of replays) {
      expect(event.source).toBe("webhook");
      expect(event.type).toBe("delivery");
      expect(event.stateBefore).toBe("completed");
      expect(event.stateAfter).toBe("completed");
      expect(event.deliveryId).toBe(delivery.id);
      expect(event.detail.replayOf).toBe(delivery.id);
    }
    expect(events[0]?.detail.replayOf).toBeUndefined();
    expect(await deliveriesOf(account.id)).toHaveLength(1);
  });

  it("IN_PROGRESS moves a queued card to running", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    await deliver(webhookKey, { id, status: "IN_PROGRESS", workerId: "p1awbdsmhschpq" });
    const [inProgress] = await deliveriesOf(account.id);
    // RunPod re-queues a job whose worker crashed, so the card goes back to queued.
    await deliver(webhookKey, { id, status: "IN_QUEUE" });
    expect((await getActivityByKey({ accountId: account.id, key: id }))?.state).toBe("queued");

    const result = await replayDelivery({ accountId: account.id, deliveryId: inProgress!.id });
    expect(result.stateBefore).toBe("queued");
    expect(result.state).toBe("running");
    expect(result.changed).toBe(true);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("running");
    expect(card?.runpodStatus).toBe("IN_PROGRESS");
    expect(card?.workerId).toBe("p1awbdsmhschpq");
    const last = (await eventsOf(account.id)).at(-1);
    expect(last?.source).toBe("webhook");
    expect(last?.stateBefore).toBe("queued");
    expect(last?.stateAfter).toBe("running");
    expect(last?.detail.replayOf).toBe(inProgress!.id);
  });

  it("truncated 20 MB delivery still closes a card", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    const image = "A".repeat(20 * 1024 * 1024);
    const response = await postWebhook(webhookKey, {
      id,
      status: "COMPLETED",
      delayTime: 4736,
      executionTime: 98_000,
      workerId: "p1awbdsmhschpq",
      output: { images: [image] },
    });
    expect(response.status).toBe(200);
    const delivery = await onlyDelivery(account.id);
    expect(delivery.bodyTruncated).toBe(true);
    expect(delivery.body.length).toBeLessThan(image.length);

    // Cards cannot reopen, so the card the live delivery closed is removed and the job's
    // card opened again, queued, for the replay to close.
    const db = await getDb();
    await db
      .delete(activities)
      .where(eq(activities.id, (await getActivityByKey({ accountId: account.id, key: id }))!.id));
    expect((await postActivity("start", apiKey, runpodStart(id))).status).toBe(201);

    const result = await replayDelivery({ accountId: account.id, deliveryId: delivery.id });
    expect(result.stateBefore).toBe("queued");
    expect(result.state).toBe("completed");
    expect(result.changed).toBe(true);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    expect(card?.closedAt).toBeInstanceOf(Date);
    expect(card?.hasOutput).toBe(true);
    expect(card?.executionMs).toBe(98_000);
    expect(card?.delayMs).toBe(4736);
  });

  it("rejected delivery cannot be replayed", async () => {
    const { account, webhookKey } = await createTestAccount();
    await postWebhook(webhookKey, "");
    const delivery = await onlyDelivery(account.id);

    const error = await replayError(account.id, delivery.id);
    expect(error.code).toBe("not_replayable");
    expect(error.status).toBe(409);
    expect(error.message).toContain("400 empty_body");
    expect(error.message).toContain(delivery.id);
    expect(await eventsOf(account.id)).toEqual([]);
  });

  it("unknown delivery id is not found", async () => {
    const { account } = await createTestAccount();
    const error = await replayError(account.id, "dlv_doesnotexist0000000");
    expect(error.code).toBe("not_found");
  });
});

describe("copy as curl", () => {
  it("contains the placeholder and never the key", async () => {
    const { account, webhookKey } = await createTestAccount();
    await deliver(webhookKey, {
      id: jobId(),
      status: "COMPLETED",
      output: "it's done",
      webhook: `https://chirp.test/v1/webhooks/runpod?key=${webhookKey}`,
    });
    const delivery = await onlyDelivery(account.id);

    const command = curlCommand(delivery, "https://chirp.example.com");
    expect(command).toContain(
      `'https://chirp.example.com/v1/webhooks/runpod?key=${WEBHOOK_KEY_PLACEHOLDER}'`,
    );
    expect(command).toContain("-H 'content-type: application/json'");
    expect(command).not.toContain(webhookKey);
    expect(command).not.toContain(webhookKey.split("_").slice(0, 4).join("_"));
  });
});
