import { describe, expect, it } from "vitest";
import { listBoard } from "@/lib/activities/store";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliveriesOf, eventsOf, transitionsInto } from "@/lib/testing/records";

// RunPod retries a webhook it thinks failed and may send one delivery more than once, so
// every copy must get a 200 response and leave exactly one card with one transition.

function completed(id: string) {
  return {
    id,
    status: "COMPLETED",
    delayTime: 4736,
    executionTime: 157,
    output: { results: [{ success: true }] },
  };
}

describe("repeated webhook deliveries", () => {
  it("same COMPLETED 3 times in a row: one transition", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const answers = [];
    for (let copy = 0; copy < 3; copy++) answers.push(await postWebhook(webhookKey, completed(id)));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers.map((answer) => answer.json.changed)).toEqual([true, false, false]);

    const board = await listBoard({ accountId: account.id });
    expect(board).toHaveLength(1);
    expect(board[0]?.state).toBe("completed");

    const events = await eventsOf(account.id);
    expect(transitionsInto(events, "completed")).toHaveLength(1);
    expect(events.filter((event) => event.type === "delivery")).toHaveLength(3);
    expect(await deliveriesOf(account.id)).toHaveLength(3);
  });

  it("20 concurrent copies after start: one transition", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    const start = await postActivity("start", apiKey, runpodStart(id));

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postWebhook(webhookKey, completed(id))),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((answer) => answer.json.changed === true)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.json.activityId))).toEqual(
      new Set([start.json.activity.id]),
    );

    const board = await listBoard({ accountId: account.id });
    expect(board).toHaveLength(1);
    expect(board[0]?.state).toBe("completed");

    const events = await eventsOf(account.id);
    const transitions = transitionsInto(events, "completed");
    expect(transitions).toHaveLength(1);
    expect(transitions[0]?.stateBefore).toBe("queued");
    expect(events.filter((event) => event.type === "delivery")).toHaveLength(20);

    const recorded = await deliveriesOf(account.id);
    expect(recorded).toHaveLength(20);
    expect(recorded.every((delivery) => delivery.responseStatus === 200)).toBe(true);
  });

  it("20 concurrent copies before start: one card", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postWebhook(webhookKey, completed(id))),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((answer) => answer.json.activityId)).size).toBe(1);

    const board = await listBoard({ accountId: account.id });
    expect(board).toHaveLength(1);
    expect(board[0]?.state).toBe("completed");

    const events = await eventsOf(account.id);
    const transitions = transitionsInto(events, "completed");
    expect(transitions).toHaveLength(1);
    expect(transitions[0]?.stateBefore).toBeNull();
    expect(events.filter((event) => event.type === "delivery")).toHaveLength(20);
    expect(await deliveriesOf(account.id)).toHaveLength(20);

    const start = await postActivity("start", apiKey, runpodStart(id));
    expect(start.status).toBe(200);
    expect(start.json.activity.id).toBe(board[0]?.id);
  });

  it("concurrent start and COMPLETED: one card, closed", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();

    const [start, delivery] = await Promise.all([
      postActivity("start", apiKey, runpodStart(id)),
      postWebhook(webhookKey, completed(id)),
    ]);

    expect([200, 201]).toContain(start.status);
    expect(delivery.status).toBe(200);
    expect(start.json.activity.id).toBe(delivery.json.activityId);

    const board = await listBoard({ accountId: account.id });
    expect(board).toHaveLength(1);
    expect(board[0]?.state).toBe("completed");
    expect(board[0]?.jobName).toBe("sdxl-batch");
    expect(transitionsInto(await eventsOf(account.id), "completed")).toHaveLength(1);
  });
});
