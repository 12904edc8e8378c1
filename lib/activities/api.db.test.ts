import { describe, expect, it } from "vitest";
import { getActivityByKey, listBoard } from "@/lib/activities/store";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { eventsOf } from "@/lib/testing/records";

function runpodData(data: Record<string, unknown>) {
  return { schema_id: "@runpod", data };
}

describe("activity start", () => {
  it("same key twice: 201 then 200, one card", async () => {
    const { account, apiKey } = await createTestAccount();
    const id = jobId();

    const first = await postActivity("start", apiKey, runpodStart(id));
    const second = await postActivity("start", apiKey, runpodStart(id));

    expect(first.status).toBe(201);
    expect(first.json.changed).toBe(true);
    expect(first.json.activity).toMatchObject({
      key: id,
      schemaId: "@runpod",
      state: "queued",
      statusWord: "QUEUED",
      jobName: "sdxl-batch",
      endpoint: "isxbq1e254mbjz",
      openedBy: "api",
      consoleUrl: "https://console.runpod.io/serverless/user/endpoint/isxbq1e254mbjz",
      closedAt: null,
    });
    expect(second.status).toBe(200);
    expect(second.json.changed).toBe(false);
    expect(second.json.activity.id).toBe(first.json.activity.id);

    expect(await listBoard({ accountId: account.id })).toHaveLength(1);
    const events = await eventsOf(account.id);
    expect(events.map((event) => event.type)).toEqual(["start", "start"]);
    expect(events[0]?.stateBefore).toBeNull();
    expect(events[1]?.stateBefore).toBe("queued");
  });

  it("second start keeps the first job name", async () => {
    const { apiKey } = await createTestAccount();
    const id = jobId();

    await postActivity("start", apiKey, runpodStart(id, { jobName: "first" }));
    const again = await postActivity("start", apiKey, runpodStart(id, { jobName: "second" }));

    expect(again.status).toBe(200);
    expect(again.json.activity.jobName).toBe("first");
  });

  it("start with only a key opens a nameless card", async () => {
    const { apiKey } = await createTestAccount();
    const id = jobId();

    const response = await postActivity("start", apiKey, runpodData({ key: id }));

    expect(response.status).toBe(201);
    expect(response.json.activity.jobName).toBeNull();
    expect(response.json.activity.endpoint).toBeNull();
    expect(response.json.activity.consoleUrl).toBeNull();
  });
});

describe("activity update", () => {
  it("queuePosition keeps the card queued", async () => {
    const { account, apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ key: id, queuePosition: 3 }),
    );

    expect(response.status).toBe(200);
    expect(response.json.activity.state).toBe("queued");
    expect(response.json.activity.queuePosition).toBe(3);
    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.queuePosition).toBe(3);
  });

  it("gpuType moves the card to running", async () => {
    const { account, apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ key: id, gpuType: "NVIDIA A100 80GB PCIe" }),
    );

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(true);
    expect(response.json.activity.state).toBe("running");
    expect(response.json.activity.statusWord).toBe("RUNNING");
    expect(response.json.activity.gpuType).toBe("NVIDIA A100 80GB PCIe");
    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("running");
  });

  it("progress changes text, not state", async () => {
    const { apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));
    await postActivity("update", apiKey, runpodData({ key: id, gpuType: "RTX 4090" }));

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ key: id, progress: "step 12/50" }),
    );

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(false);
    expect(response.json.activity.state).toBe("running");
    expect(response.json.activity.progress).toBe("step 12/50");
    expect(response.json.activity.gpuType).toBe("RTX 4090");
  });

  it("queuePosition after running re-queues the card", async () => {
    const { apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));
    await postActivity("update", apiKey, runpodData({ key: id, gpuType: "RTX 4090" }));

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ key: id, queuePosition: 0 }),
    );

    expect(response.json.activity.state).toBe("queued");
    expect(response.json.activity.queuePosition).toBe(0);
  });

  it("update of a closed card changes nothing", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));
    await postWebhook(webhookKey, { id, status: "COMPLETED", output: 1 });

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ key: id, gpuType: "RTX 4090", progress: "late" }),
    );

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(false);
    expect(response.json.activity.state).toBe("completed");
    expect(response.json.activity.gpuType).toBeNull();
    expect(response.json.activity.progress).toBeNull();
    const events = await eventsOf(account.id);
    expect(events.at(-1)?.type).toBe("update");
    expect(events.at(-1)?.stateAfter).toBe("completed");
  });

  it("unknown key: 404 naming the key", async () => {
    const { account, apiKey } = await createTestAccount();
    const id = jobId();

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ key: id, queuePosition: 1 }),
    );

    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe("not_found");
    expect(response.json.error.message).toContain(id);
    expect(response.json.error.message).toContain("/v1/activity/start");
    expect(await listBoard({ accountId: account.id })).toHaveLength(0);
  });
});

describe("activity end", () => {
  it("status FAILED with error closes red", async () => {
    const { account, apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const response = await postActivity(
      "end",
      apiKey,
      runpodData({ key: id, status: "FAILED", error: "CUDA out of memory" }),
    );

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(true);
    expect(response.json.activity.state).toBe("failed");
    expect(response.json.activity.errorMessage).toBe("CUDA out of memory");
    expect(response.json.activity.closedAt).not.toBeNull();
    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("failed");
    expect(card?.runpodStatus).toBe("FAILED");
  });

  it("without status closes as COMPLETED", async () => {
    const { account, apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const response = await postActivity("end", apiKey, runpodData({ key: id }));

    expect(response.status).toBe(200);
    expect(response.json.activity.state).toBe("completed");
    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("completed");
    expect(card?.runpodStatus).toBe("COMPLETED");
    expect(card?.closedAt).toBeInstanceOf(Date);
  });

  it.each([
    ["timed_out", "timed_out"],
    ["Cancelled", "cancelled"],
  ])("status %s in any case closes as %s", async (status, state) => {
    const { apiKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));

    const response = await postActivity("end", apiKey, runpodData({ key: id, status }));

    expect(response.json.activity.state).toBe(state);
  });

  it("end without start opens a closed card", async () => {
    const { apiKey } = await createTestAccount();
    const id = jobId();

    const response = await postActivity(
      "end",
      apiKey,
      runpodData({ key: id, status: "FAILED", error: "never started" }),
    );

    expect(response.status).toBe(201);
    expect(response.json.activity.state).toBe("failed");
    expect(response.json.activity.errorMessage).toBe("never started");
    expect(response.json.activity.closedAt).not.toBeNull();
  });

  it("end after the webhook keeps the webhook's outcome", async () => {
    const { apiKey, webhookKey } = await createTestAccount();
    const id = jobId();
    await postActivity("start", apiKey, runpodStart(id));
    await postWebhook(webhookKey, { id, status: "COMPLETED", output: 1 });

    const response = await postActivity(
      "end",
      apiKey,
      runpodData({ key: id, status: "FAILED", error: "client gave up" }),
    );

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(false);
    expect(response.json.activity.state).toBe("completed");
    expect(response.json.activity.errorMessage).toBeNull();
  });
});

describe("activity request errors", () => {
  it("several invalid fields: 422 naming each", async () => {
    const { apiKey } = await createTestAccount();

    const response = await postActivity(
      "update",
      apiKey,
      runpodData({ endpoint: "Not-An-Endpoint", queuePosition: -1, jobname: "typo" }),
    );

    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe("invalid_fields");
    const fields = response.json.error.fields as { field: string; message: string }[];
    expect(fields.map((problem) => problem.field).sort()).toEqual(
      ["data.endpoint", "data.jobname", "data.key", "data.queuePosition"].sort(),
    );
    const message = response.json.error.message as string;
    for (const field of ["data.endpoint", "data.jobname", "data.key", "data.queuePosition"]) {
      expect(message).toContain(field);
    }
    expect(fields.find((problem) => problem.field === "data.jobname")?.message).toBe(
      "unknown field; did you mean jobName?",
    );
    expect(fields.find((problem) => problem.field === "data.queuePosition")?.message).toBe(
      "must be 0 or more",
    );
  });

  it("wrong schema_id: 422 on schema_id", async () => {
    const { apiKey } = await createTestAccount();

    const response = await postActivity("start", apiKey, {
      schema_id: "@modal",
      data: { key: jobId() },
    });

    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe("invalid_fields");
    expect(response.json.error.fields).toEqual([
      { field: "schema_id", message: 'unsupported schema; use "@runpod"' },
    ]);
  });

  it("NUL in the job name: 422, not a failed insert", async () => {
    const { account, apiKey } = await createTestAccount();

    const response = await postActivity(
      "start",
      apiKey,
      runpodStart(jobId(), { jobName: "sdxl\u0000batch" }),
    );

    expect(response.status).toBe(422);
    expect(response.json.error.fields).toEqual([
      { field: "data.jobName", message: "must not contain U+0000 (NUL)" },
    ]);
    expect(await listBoard({ accountId: account.id })).toHaveLength(0);
  });

  it.each([
    ["body not JSON", "{key: 1}", "invalid_json"],
    ["empty body", "", "empty_body"],
    ["JSON array", "[]", "invalid_body"],
  ])("%s: 400 %s", async (_label, body, code) => {
    const { apiKey } = await createTestAccount();

    const response = await postActivity("start", apiKey, body);

    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe(code);
  });

  it.each(["close", "toString", "constructor"])(
    "unknown action %s: 404 listing the actions",
    async (action) => {
      const { account, apiKey } = await createTestAccount();

      const response = await postActivity(action, apiKey, runpodStart(jobId()));

      expect(response.status).toBe(404);
      expect(response.json.error.code).toBe("not_found");
      expect(response.json.error.message).toContain("start, update or end");
      expect(await listBoard({ accountId: account.id })).toHaveLength(0);
    },
  );
});
