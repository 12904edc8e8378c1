import { describe, expect, it } from "vitest";
import {
  getActivity,
  getActivityByKey,
  listActivityEvents,
  listBoard,
} from "@/lib/activities/store";
import { revokeKey } from "@/lib/keys/store";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliveriesOf } from "@/lib/testing/records";

// Another account's card, key or delivery must look like one that does not exist.

async function twoAccountsWithOpenCard() {
  const a = await createTestAccount();
  const b = await createTestAccount();
  const id = jobId();
  const start = await postActivity("start", a.apiKey, runpodStart(id, { jobName: "a-job" }));
  expect(start.status).toBe(201);
  return { a, b, id, cardA: start.json.activity as { id: string } };
}

describe("account isolation", () => {
  it("B's webhook for A's job id opens B's own card", async () => {
    const { a, b, id, cardA } = await twoAccountsWithOpenCard();

    const delivery = await postWebhook(b.webhookKey, { id, status: "FAILED", error: "b's job" });

    expect(delivery.status).toBe(200);
    expect(delivery.json.activityId).not.toBe(cardA.id);
    const cardB = await getActivityByKey({ accountId: b.account.id, key: id });
    expect(cardB?.id).toBe(delivery.json.activityId);
    expect(cardB?.state).toBe("failed");
    expect(cardB?.jobName).toBeNull();

    const untouched = await getActivityByKey({ accountId: a.account.id, key: id });
    expect(untouched?.id).toBe(cardA.id);
    expect(untouched?.state).toBe("queued");
    expect(untouched?.errorMessage).toBeNull();
    expect(untouched?.closedAt).toBeNull();
    expect(await deliveriesOf(a.account.id)).toHaveLength(0);
    expect(await deliveriesOf(b.account.id)).toHaveLength(1);
  });

  it("B's update for A's key: 404", async () => {
    const { a, b, id } = await twoAccountsWithOpenCard();

    const response = await postActivity("update", b.apiKey, {
      schema_id: "@runpod",
      data: { key: id, gpuType: "RTX 4090" },
    });

    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe("not_found");
    const cardA = await getActivityByKey({ accountId: a.account.id, key: id });
    expect(cardA?.state).toBe("queued");
    expect(cardA?.gpuType).toBeNull();
  });

  it("B's end for A's key opens B's own card", async () => {
    const { a, b, id, cardA } = await twoAccountsWithOpenCard();

    const response = await postActivity("end", b.apiKey, {
      schema_id: "@runpod",
      data: { key: id, status: "CANCELLED" },
    });

    expect(response.status).toBe(201);
    expect(response.json.activity.id).not.toBe(cardA.id);
    expect(response.json.activity.state).toBe("cancelled");
    const untouched = await getActivityByKey({ accountId: a.account.id, key: id });
    expect(untouched?.state).toBe("queued");
    expect(untouched?.closedAt).toBeNull();
  });

  it("B's start for A's key opens B's own card", async () => {
    const { b, id, cardA } = await twoAccountsWithOpenCard();

    const response = await postActivity("start", b.apiKey, runpodStart(id, { jobName: "b-job" }));

    expect(response.status).toBe(201);
    expect(response.json.activity.id).not.toBe(cardA.id);
    expect(response.json.activity.jobName).toBe("b-job");
  });

  it("B's board, card and event reads never show A's", async () => {
    const { a, b, cardA } = await twoAccountsWithOpenCard();
    const own = await postActivity("start", b.apiKey, runpodStart(jobId()));

    const boardB = await listBoard({ accountId: b.account.id });
    expect(boardB.map((card) => card.id)).toEqual([own.json.activity.id]);
    const boardA = await listBoard({ accountId: a.account.id });
    expect(boardA.map((card) => card.id)).toEqual([cardA.id]);

    expect(await getActivity({ accountId: b.account.id, activityId: cardA.id })).toBeUndefined();
    expect(await getActivity({ accountId: a.account.id, activityId: cardA.id })).toBeDefined();
    expect(
      await listActivityEvents({ accountId: b.account.id, activityId: cardA.id }),
    ).toHaveLength(0);
    expect(
      await listActivityEvents({ accountId: a.account.id, activityId: cardA.id }),
    ).toHaveLength(1);
  });

  it("B cannot revoke A's key", async () => {
    const { a, b } = await twoAccountsWithOpenCard();

    await expect(
      revokeKey({ accountId: b.account.id, keyId: a.apiKeyId, actor: "cli" }),
    ).rejects.toMatchObject({
      code: "not_found",
    });

    const stillWorks = await postActivity("start", a.apiKey, runpodStart(jobId()));
    expect(stillWorks.status).toBe(201);
  });
});
