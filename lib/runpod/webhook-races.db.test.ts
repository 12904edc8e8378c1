import { describe, expect, it } from "vitest";
import { getActivityByKey, listBoard } from "@/lib/activities/store";
import type { ActivityState } from "@/lib/db/schema";
import { TERMINAL_STATES } from "@/lib/runpod/status";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliveriesOf, eventsOf } from "@/lib/testing/records";

// Races between RunPod's retries, the submission script's start call and each other.
// Whatever the interleaving, a job keeps one card, that card makes at most one terminal
// transition, and every request to the webhook URL is recorded with the response it got.

function statusObject(id: string, status: string) {
  return {
    id,
    status,
    delayTime: 2210,
    executionTime: 5120,
    workerId: "k7m2q9x4v1b8n3",
    ...(status === "COMPLETED" ? { output: { images: ["aGVsbG8="] } } : {}),
    ...(status === "FAILED" ? { error: "CUDA out of memory" } : {}),
  };
}

/** Returns the events that moved a card from an open state (or no card) into a terminal one. */
async function terminalTransitions(accountId: string) {
  const events = await eventsOf(accountId);
  return events.filter(
    (event) =>
      TERMINAL_STATES.has(event.stateAfter) &&
      (event.stateBefore === null || !TERMINAL_STATES.has(event.stateBefore)),
  );
}

describe("webhook races", () => {
  it("RunPod's 3 tries around a late start: one card", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId("-e2");

    // RunPod retries a call it counts as failed, such as one that timed out after Chirp
    // had committed it, so the first try may already have closed the card.
    const first = await postWebhook(webhookKey, statusObject(id, "COMPLETED"));
    const start = await postActivity("start", apiKey, runpodStart(id));
    const second = await postWebhook(webhookKey, statusObject(id, "COMPLETED"));
    const third = await postWebhook(webhookKey, statusObject(id, "COMPLETED"));

    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect([first.json.changed, second.json.changed, third.json.changed]).toEqual([
      true,
      false,
      false,
    ]);
    expect(start.status).toBe(200);
    expect(start.json.activity.id).toBe(first.json.activityId);
    expect(start.json.activity.state).toBe("completed");
    expect(start.json.activity.jobName).toBe("sdxl-batch");

    expect(await listBoard({ accountId: account.id })).toHaveLength(1);
    expect(await terminalTransitions(account.id)).toHaveLength(1);
    const recorded = await deliveriesOf(account.id);
    expect(recorded.map((delivery) => delivery.responseStatus)).toEqual([200, 200, 200]);
  });

  it("50 concurrent copies racing start: one card", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();

    const copies = Array.from({ length: 50 }, () =>
      postWebhook(webhookKey, statusObject(id, "COMPLETED")),
    );
    const start = postActivity("start", apiKey, runpodStart(id));
    const answers = await Promise.all(copies);
    const started = await start;

    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((answer) => answer.json.changed === true)).toHaveLength(1);
    expect([200, 201]).toContain(started.status);
    expect(new Set(answers.map((answer) => answer.json.activityId))).toEqual(
      new Set([started.json.activity.id]),
    );

    const board = await listBoard({ accountId: account.id });
    expect(board).toHaveLength(1);
    expect(board[0]?.state).toBe("completed");
    expect(await terminalTransitions(account.id)).toHaveLength(1);

    const recorded = await deliveriesOf(account.id);
    expect(recorded).toHaveLength(50);
    expect(recorded.every((delivery) => delivery.activityId === board[0]?.id)).toBe(true);
    expect(new Set(recorded.map((delivery) => delivery.id)).size).toBe(50);
    const deliveryEvents = (await eventsOf(account.id)).filter((e) => e.type === "delivery");
    expect(new Set(deliveryEvents.map((event) => event.deliveryId))).toEqual(
      new Set(recorded.map((delivery) => delivery.id)),
    );
  });

  it("start and webhook racing on 10 jobs: one card each", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const ids = Array.from({ length: 10 }, () => jobId());

    // Ten independent races give the scheduler ten chances to interleave the two
    // transactions differently: start first, webhook first, or both inserting at once.
    const results = await Promise.all(
      ids.map((id, index) =>
        index % 2 === 0
          ? Promise.all([
              postActivity("start", apiKey, runpodStart(id)),
              postWebhook(webhookKey, statusObject(id, "FAILED")),
            ])
          : Promise.all([
              postWebhook(webhookKey, statusObject(id, "FAILED")),
              postActivity("start", apiKey, runpodStart(id)),
            ]).then(([delivery, start]) => [start, delivery] as const),
      ),
    );

    for (const [start, delivery] of results) {
      expect([200, 201]).toContain(start.status);
      expect(delivery.status).toBe(200);
      expect(delivery.json.activityId).toBe(start.json.activity.id);
      expect(delivery.json.state).toBe("failed");
    }
    const board = await listBoard({ accountId: account.id });
    expect(board.map((card) => card.key).sort()).toEqual([...ids].sort());
    for (const card of board) {
      expect(card.state).toBe("failed");
      expect(card.jobName).toBe("sdxl-batch");
      expect(card.errorMessage).toBe("CUDA out of memory");
    }
    const transitions = await terminalTransitions(account.id);
    expect(transitions).toHaveLength(10);
    expect(new Set(transitions.map((event) => event.activityId)).size).toBe(10);
    expect(await deliveriesOf(account.id)).toHaveLength(10);
  });

  it.each([
    ["an open card", true],
    ["no card yet", false],
  ])("different terminal statuses racing on %s: first wins", async (_label, startFirst) => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    if (startFirst) expect((await postActivity("start", apiKey, runpodStart(id))).status).toBe(201);

    const statuses = ["COMPLETED", "FAILED", "TIMED_OUT", "CANCELLED"];
    const sent = Array.from({ length: 12 }, (_, index) => statuses[index % statuses.length]!);
    const answers = await Promise.all(
      sent.map((status) => postWebhook(webhookKey, statusObject(id, status))),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
    const winners = answers.filter((answer) => answer.json.changed === true);
    expect(winners).toHaveLength(1);
    const winningState = winners[0]!.json.state as ActivityState;
    expect(answers.every((answer) => answer.json.state === winningState)).toBe(true);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe(winningState);
    expect(card?.errorMessage).toBe(winningState === "failed" ? "CUDA out of memory" : null);
    expect(await listBoard({ accountId: account.id })).toHaveLength(1);

    const transitions = await terminalTransitions(account.id);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]?.stateAfter).toBe(winningState);
    expect(transitions[0]?.stateBefore).toBe(startFirst ? "queued" : null);

    const recorded = await deliveriesOf(account.id);
    expect(recorded).toHaveLength(12);
    expect(recorded.map((delivery) => delivery.runpodStatus).sort()).toEqual([...sent].sort());
    expect(recorded.every((delivery) => delivery.responseStatus === 200)).toBe(true);
  });
});
