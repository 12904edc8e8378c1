import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/v1/webhooks/runpod/route";
import { getActivityByKey, listBoard } from "@/lib/activities/store";
import { storedBodyBytes } from "@/lib/config";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliver, deliveriesOf, eventsOf } from "@/lib/testing/records";

// Bodies in the shapes RunPod sends. The ids and values are made up.
const failedPythonHandler = {
  id: "c4d5e6f7-0a1b-4c2d-9e3f-405162738495-u1",
  status: "FAILED",
  delayTime: 900,
  executionTime: 210,
  error:
    '{"error_type": "<class \'ValueError\'>", "error_message": "bad input", "error_traceback": "Traceback (most recent call last): ...", "hostname": "k7m2q9x4v1b8n3-64410", "worker_id": "k7m2q9x4v1b8n3", "runpod_version": "1.7.0"}',
};

const failedPlainText = {
  id: "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6-u2",
  status: "FAILED",
  error: "json is invalid; max size is 2 MB",
};

const completedWithoutOutput = {
  id: "9b0c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4-e2",
  status: "COMPLETED",
  delayTime: 100,
  executionTime: 1571,
  workerId: "p1awbdsmhschpq",
};

describe("webhook closes a card", () => {
  it("submit, start, COMPLETED closes one card green", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();

    const start = await postActivity("start", apiKey, runpodStart(id));
    expect(start.status).toBe(201);
    expect(start.json.activity.state).toBe("queued");
    expect(start.json.activity.closedAt).toBeNull();

    const delivery = await postWebhook(webhookKey, {
      id,
      status: "COMPLETED",
      delayTime: 4736,
      executionTime: 157,
      output: { results: [{ success: true }] },
    });
    expect(delivery.status).toBe(200);
    expect(delivery.json.state).toBe("completed");
    expect(delivery.json.changed).toBe(true);
    expect(delivery.json.activityId).toBe(start.json.activity.id);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.id).toBe(start.json.activity.id);
    expect(card?.state).toBe("completed");
    expect(card?.runpodStatus).toBe("COMPLETED");
    expect(card?.closedAt).toBeInstanceOf(Date);
    expect(card?.hasOutput).toBe(true);
    expect(card?.delayMs).toBe(4736);
    expect(card?.executionMs).toBe(157);
    expect(card?.errorMessage).toBeNull();
    expect(await listBoard({ accountId: account.id })).toHaveLength(1);
  });

  it("webhook before start creates a closed card", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId("-e2");

    const delivery = await deliver(webhookKey, { id, status: "COMPLETED", output: "done" });
    expect(delivery.state).toBe("completed");

    const early = await getActivityByKey({ accountId: account.id, key: id });
    expect(early?.state).toBe("completed");
    expect(early?.closedAt).toBeInstanceOf(Date);
    expect(early?.openedBy).toBe("webhook");
    expect(early?.jobName).toBeNull();
    expect(early?.endpoint).toBeNull();

    const start = await postActivity(
      "start",
      apiKey,
      runpodStart(id, { jobName: "late-start", endpoint: "isxbq1e254mbjz" }),
    );
    expect(start.status).toBe(200);
    expect(start.json.activity.id).toBe(early?.id);
    expect(start.json.activity.state).toBe("completed");
    expect(start.json.activity.closedAt).not.toBeNull();
    expect(start.json.activity.jobName).toBe("late-start");
    expect(start.json.activity.endpoint).toBe("isxbq1e254mbjz");
    expect(start.json.changed).toBe(false);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    expect(card?.jobName).toBe("late-start");
    expect(card?.endpoint).toBe("isxbq1e254mbjz");
    expect(card?.closedAt?.getTime()).toBe(early?.closedAt?.getTime());
    expect(await listBoard({ accountId: account.id })).toHaveLength(1);
  });

  it("FAILED with a runpod-python error shows error_message", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    await postActivity("start", apiKey, runpodStart(failedPythonHandler.id));

    const delivery = await deliver(webhookKey, failedPythonHandler);
    expect(delivery.state).toBe("failed");

    const card = await getActivityByKey({ accountId: account.id, key: failedPythonHandler.id });
    expect(card?.state).toBe("failed");
    expect(card?.errorMessage).toBe("bad input");
    expect(card?.closedAt).toBeInstanceOf(Date);
    expect(card?.delayMs).toBe(900);
    expect(card?.executionMs).toBe(210);
  });

  it("FAILED with a plain-text error keeps the text", async () => {
    const { account, webhookKey } = await createTestAccount();

    await deliver(webhookKey, failedPlainText);

    const card = await getActivityByKey({ accountId: account.id, key: failedPlainText.id });
    expect(card?.state).toBe("failed");
    expect(card?.errorMessage).toBe("json is invalid; max size is 2 MB");
  });

  it("COMPLETED without output closes with hasOutput false", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    await postActivity("start", apiKey, runpodStart(completedWithoutOutput.id));

    await deliver(webhookKey, completedWithoutOutput);

    const card = await getActivityByKey({ accountId: account.id, key: completedWithoutOutput.id });
    expect(card?.state).toBe("completed");
    expect(card?.closedAt).toBeInstanceOf(Date);
    expect(card?.hasOutput).toBe(false);
    expect(card?.workerId).toBe("p1awbdsmhschpq");
    expect(card?.executionMs).toBe(1571);
  });

  it.each([
    ["TIMED_OUT", "timed_out"],
    ["CANCELLED", "cancelled"],
    ["FAILED", "failed"],
    ["COMPLETED", "completed"],
  ])("%s closes the card as %s", async (status, state) => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const delivery = await deliver(webhookKey, { id, status, delayTime: 600412 });
    expect(delivery.state).toBe(state);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe(state);
    expect(card?.runpodStatus).toBe(status);
    expect(card?.closedAt).toBeInstanceOf(Date);
  });
});

describe("webhook status rules", () => {
  it("first terminal status wins and later ones become events", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    await deliver(webhookKey, { id, status: "COMPLETED", output: { ok: true } });
    const closed = await getActivityByKey({ accountId: account.id, key: id });

    const late = await deliver(webhookKey, { id, status: "FAILED", error: "worker lost" });
    expect(late.state).toBe("completed");
    expect(late.changed).toBe(false);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    expect(card?.runpodStatus).toBe("COMPLETED");
    expect(card?.errorMessage).toBeNull();
    expect(card?.hasOutput).toBe(true);
    expect(card?.closedAt?.getTime()).toBe(closed?.closedAt?.getTime());

    const events = await eventsOf(account.id);
    const failedEvent = events.find((event) => event.runpodStatus === "FAILED");
    expect(failedEvent?.type).toBe("delivery");
    expect(failedEvent?.stateBefore).toBe("completed");
    expect(failedEvent?.stateAfter).toBe("completed");
    expect(failedEvent?.detail.error).toBe("worker lost");
  });

  it("RUNNING maps to running", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const delivery = await deliver(webhookKey, {
      id,
      status: "RUNNING",
      workerId: "k7m2q9x4v1b8n3",
    });
    expect(delivery.state).toBe("running");
    expect(delivery.changed).toBe(true);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("running");
    expect(card?.runpodStatus).toBe("RUNNING");
    expect(card?.closedAt).toBeNull();
  });

  it("unknown status is kept on the event, card unchanged", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));
    const before = await getActivityByKey({ accountId: account.id, key: id });

    const delivery = await postWebhook(webhookKey, { id, status: "WEIRD", output: 1 });
    expect(delivery.status).toBe(200);
    expect(delivery.json.state).toBe("queued");
    expect(delivery.json.changed).toBe(false);
    expect(String(delivery.json.note)).toContain("WEIRD");

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("queued");
    expect(card?.runpodStatus).toBe(before?.runpodStatus);
    expect(card?.hasOutput).toBe(before?.hasOutput);
    expect(card?.closedAt).toBeNull();

    const events = await eventsOf(account.id);
    const weird = events.filter((event) => event.runpodStatus === "WEIRD");
    expect(weird).toHaveLength(1);
    expect(weird[0]?.stateBefore).toBe("queued");
    expect(weird[0]?.stateAfter).toBe("queued");

    const [recorded] = (await deliveriesOf(account.id)).filter((d) => d.runpodStatus === "WEIRD");
    expect(recorded?.responseStatus).toBe(200);
  });

  it.each(["constructor", "toString", "WEIRD"])(
    "status %j with no card opens none",
    async (status) => {
      const { account, webhookKey } = await createTestAccount();
      const id = jobId();

      const delivery = await postWebhook(webhookKey, { id, status });

      expect(delivery.status).toBe(200);
      expect(delivery.json.activityId).toBeNull();
      expect(String(delivery.json.note)).toContain(status);
      expect(await getActivityByKey({ accountId: account.id, key: id })).toBeUndefined();
      const [recorded] = await deliveriesOf(account.id);
      expect(recorded?.runpodStatus).toBe(status);
      expect(recorded?.jobId).toBe(id);
      expect(recorded?.responseStatus).toBe(200);
    },
  );

  it("delivery with no status and no card opens none", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();

    const delivery = await postWebhook(webhookKey, { id });

    expect(delivery.status).toBe(200);
    expect(String(delivery.json.note)).toContain('no "status"');
    expect(await getActivityByKey({ accountId: account.id, key: id })).toBeUndefined();
  });

  it("IN_PROGRESS then IN_QUEUE re-queues the card", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    expect((await deliver(webhookKey, { id, status: "IN_PROGRESS" })).state).toBe("running");
    const requeued = await deliver(webhookKey, { id, status: "IN_QUEUE", delayTime: 2310 });
    expect(requeued.state).toBe("queued");
    expect(requeued.changed).toBe(true);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("queued");
    expect(card?.runpodStatus).toBe("IN_QUEUE");
    expect(card?.closedAt).toBeNull();

    const states = (await eventsOf(account.id)).map((event) => event.stateAfter);
    expect(states).toEqual(["queued", "running", "queued"]);
  });
});

describe("webhook request formats", () => {
  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["no Content-Type", {}],
    ["application/octet-stream", { "content-type": "application/octet-stream" }],
    ["form encoding", { "content-type": "application/x-www-form-urlencoded" }],
  ])("accepts a JSON body sent as %s", async (_label, headers) => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    // A byte array body, unlike a string, makes Request add no Content-Type of its own.
    const body = new TextEncoder().encode(JSON.stringify({ id, status: "COMPLETED", output: 1 }));

    const response = await webhookRoute(
      new Request(`http://chirp.test/v1/webhooks/runpod?key=${webhookKey}`, {
        method: "POST",
        headers,
        body,
      }),
      undefined,
    );
    expect(response.status).toBe(200);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.contentType).toBe("content-type" in headers ? headers["content-type"] : null);
  });

  it.each([
    ["a -u1 suffix", `${randomUUID()}-u1`],
    ["a sync- prefix", `sync-${randomUUID()}-u1`],
    ["a -22 suffix", `${randomUUID()}-22`],
    ["a test- prefix", `test-${randomUUID()}`],
    ["a bare UUID", randomUUID()],
    ["256 characters", `${randomUUID()}-`.padEnd(256, "x")],
  ])("stores a job id with %s as given", async (_label, id) => {
    const { account, apiKey, webhookKey } = await createTestAccount();

    const start = await postActivity("start", apiKey, runpodStart(id));
    expect(start.status).toBe(201);
    expect(start.json.activity.key).toBe(id);

    const delivery = await deliver(webhookKey, { id, status: "COMPLETED" });
    expect(delivery.activityId).toBe(start.json.activity.id);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.key).toBe(id);
    expect(card?.state).toBe("completed");
    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.jobId).toBe(id);
  });

  it("20 MB output closes the card, stores a truncated copy", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));
    const image = "A".repeat(20 * 1024 * 1024);
    const bytes = new TextEncoder().encode(
      JSON.stringify({ id, status: "COMPLETED", executionTime: 91_000, output: { image } }),
    );

    const response = await webhookRoute(
      new Request(`http://chirp.test/v1/webhooks/runpod?key=${webhookKey}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bytes,
      }),
      undefined,
    );
    expect(response.status).toBe(200);

    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    expect(card?.hasOutput).toBe(true);
    expect(card?.closedAt).toBeInstanceOf(Date);

    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.bodyTruncated).toBe(true);
    expect(Buffer.byteLength(recorded?.body ?? "")).toBeLessThanOrEqual(storedBodyBytes());
    expect(recorded?.body.startsWith(`{"id":"${id}","status":"COMPLETED"`)).toBe(true);
    expect(recorded?.bodyBytes).toBe(bytes.byteLength);
    expect(recorded?.bodySha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("truncation never splits a multibyte character", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    // Pad the text before the three-byte characters so the cap falls inside one of them.
    const prefix = `{"id":"${id}","status":"COMPLETED","output":"`;
    const padding = "x".repeat((storedBodyBytes() - prefix.length + 2) % 3);
    const body = JSON.stringify({
      id,
      status: "COMPLETED",
      output: `${padding}${"☃".repeat(200_000)}`,
    });
    expect((storedBodyBytes() - prefix.length - padding.length) % 3).not.toBe(0);

    await deliver(webhookKey, JSON.parse(body));

    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.bodyTruncated).toBe(true);
    expect(Buffer.byteLength(recorded?.body ?? "")).toBeLessThanOrEqual(storedBodyBytes());
    expect(recorded?.body).not.toContain("\uFFFD");
    expect(recorded?.bodyBytes).toBe(Buffer.byteLength(body));
  });
});
