import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/http/errors";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { eventsOf } from "@/lib/testing/records";
import { endActivityFromDashboard } from "./manual-end";
import { getActivity, getActivityByKey } from "./store";

async function openCard() {
  const test = await createTestAccount();
  const key = jobId();
  const started = await postActivity("start", test.apiKey, runpodStart(key));
  expect(started.status).toBe(201);
  return { ...test, key, activityId: started.json.activity.id as string };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("manual end from the dashboard", () => {
  it("closes an open card with source dashboard", async () => {
    const { account, activityId } = await openCard();

    const result = await endActivityFromDashboard({
      accountId: account.id,
      activityId,
      status: "CANCELLED",
      error: "Stopped by hand: wrong prompt",
    });

    expect(result.transitioned).toBe(true);
    expect(result.activity.state).toBe("cancelled");
    expect(result.activity.runpodStatus).toBe("CANCELLED");
    expect(result.activity.errorMessage).toBe("Stopped by hand: wrong prompt");
    expect(result.activity.closedAt).not.toBeNull();
    const events = await eventsOf(account.id);
    const last = events.at(-1);
    expect(last?.type).toBe("end");
    expect(last?.source).toBe("dashboard");
    expect(last?.stateBefore).toBe("queued");
    expect(last?.stateAfter).toBe("cancelled");
    expect(last?.runpodStatus).toBe("CANCELLED");
  });

  it("empty error message leaves none", async () => {
    const { account, activityId } = await openCard();

    const result = await endActivityFromDashboard({
      accountId: account.id,
      activityId,
      status: "FAILED",
      error: "",
    });

    expect(result.activity.state).toBe("failed");
    expect(result.activity.errorMessage).toBeNull();
  });

  it("ending a closed card changes nothing", async () => {
    const { account, key, activityId, webhookKey } = await openCard();
    const delivered = await postWebhook(webhookKey, {
      id: key,
      status: "COMPLETED",
      delayTime: 812,
      executionTime: 4210,
      output: { ok: true },
    });
    expect(delivered.status).toBe(200);
    const before = await getActivity({ accountId: account.id, activityId });

    const result = await endActivityFromDashboard({
      accountId: account.id,
      activityId,
      status: "FAILED",
      error: "too late",
    });

    expect(result.transitioned).toBe(false);
    const after = await getActivity({ accountId: account.id, activityId });
    expect(after).toEqual(before);
    expect(after?.state).toBe("completed");
    expect(after?.errorMessage).toBeNull();
    const last = (await eventsOf(account.id)).at(-1);
    expect(last?.source).toBe("dashboard");
    expect(last?.stateBefore).toBe("completed");
    expect(last?.stateAfter).toBe("completed");
  });

  it("another account's card is not found", async () => {
    const owner = await openCard();
    const other = await createTestAccount();

    const error = await rejection(
      endActivityFromDashboard({
        accountId: other.account.id,
        activityId: owner.activityId,
        status: "CANCELLED",
      }),
    );

    expect(error.code).toBe("not_found");
    const card = await getActivityByKey({ accountId: owner.account.id, key: owner.key });
    expect(card?.state).toBe("queued");
    expect(await eventsOf(other.account.id)).toEqual([]);
  });

  it.each([
    [{ status: "DONE" }, "status"],
    [{ status: undefined }, "status"],
    [{ status: "FAILED", error: "x".repeat(2001) }, "error"],
    [{ status: "FAILED", error: "nul \u0000 byte" }, "error"],
  ])("invalid %j names the field", async (input, field) => {
    const { account, activityId } = await openCard();

    const error = await rejection(
      endActivityFromDashboard({ accountId: account.id, activityId, ...input }),
    );

    expect(error.code).toBe("invalid_fields");
    expect(error.fields?.map((problem) => problem.field)).toEqual([field]);
    const card = await getActivity({ accountId: account.id, activityId });
    expect(card?.state).toBe("queued");
  });
});
