import { createHash, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/v1/webhooks/runpod/route";
import { getActivityByKey, listBoard } from "@/lib/activities/store";
import { createTestAccount, jobId, postActivity, postWebhook } from "@/lib/testing/fixtures";
import { deliveriesOf } from "@/lib/testing/records";

function sendBytes(
  webhookKey: string,
  body: Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
) {
  return webhookRoute(
    new Request(`http://chirp.test/v1/webhooks/runpod?key=${webhookKey}`, {
      method: "POST",
      headers,
      body,
    }),
    undefined,
  );
}

describe("malformed webhook bodies", () => {
  it.each([
    ["no id", JSON.stringify({ status: "COMPLETED" }), "missing_job_id", /"id"/],
    ["body not JSON", "status=COMPLETED&id=abc", "invalid_json", /not valid JSON/],
    ["empty body", "", "empty_body", /empty/],
    ["whitespace body", " \n ", "empty_body", /empty/],
    ["JSON array", JSON.stringify([{ id: "a", status: "COMPLETED" }]), "invalid_body", /array/],
    ["JSON null", "null", "invalid_body", /null/],
    ["JSON string", '"COMPLETED"', "invalid_body", /string/],
    [
      "id a number",
      JSON.stringify({ id: 42, status: "COMPLETED" }),
      "invalid_job_id",
      /"id" is 42/,
    ],
    ["id empty", JSON.stringify({ id: "", status: "COMPLETED" }), "invalid_job_id", /"id" is ""/],
    [
      "id of 257 characters",
      JSON.stringify({ id: "j".repeat(257), status: "COMPLETED" }),
      "invalid_job_id",
      /257 characters.*at most 256/,
    ],
  ])("%s: 400 naming the problem, delivery recorded", async (_label, body, code, message) => {
    const { account, webhookKey } = await createTestAccount();

    const response = await postWebhook(webhookKey, body);

    expect(response.status).toBe(400);
    const error = response.json.error as { code: string; message: string };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);

    const recorded = await deliveriesOf(account.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.responseStatus).toBe(400);
    expect(recorded[0]?.errorCode).toBe(code);
    expect(recorded[0]?.body).toBe(body);
    expect(recorded[0]?.bodyBytes).toBe(Buffer.byteLength(body));
    expect(recorded[0]?.activityId).toBeNull();
    expect(await listBoard({ accountId: account.id })).toHaveLength(0);
  });

  it("binary body with NUL bytes: 400, delivery recorded", async () => {
    const { account, webhookKey } = await createTestAccount();
    const bytes = new Uint8Array([0x00, 0x01, 0xff, 0x7b, 0x00, 0x22]);

    const response = await sendBytes(webhookKey, bytes, {
      "content-type": "application/octet-stream",
    });

    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { code: string } };
    expect(json.error.code).toBe("invalid_json");

    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.responseStatus).toBe(400);
    expect(recorded?.bodyBytes).toBe(6);
    expect(recorded?.bodySha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(recorded?.body).not.toContain("\u0000");
  });

  it("NUL characters in error and status still close the card", async () => {
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();

    const failed = await postWebhook(webhookKey, {
      id,
      status: "FAILED",
      error: "decoder returned\u0000garbage",
      workerId: "k7m2q9x4\u0000v1b8n3",
    });
    expect(failed.status).toBe(200);
    const card = await getActivityByKey({ accountId: account.id, key: id });
    expect(card?.state).toBe("failed");
    expect(card?.errorMessage).toBe("decoder returned\uFFFDgarbage");
    expect(card?.workerId).toBe("k7m2q9x4\uFFFDv1b8n3");

    const odd = await postWebhook(webhookKey, { id, status: "ODD\u0000" });
    expect(odd.status).toBe(200);
    expect(await deliveriesOf(account.id)).toHaveLength(2);
  });

  it("job id with a NUL character: 400 invalid_job_id", async () => {
    const { account, webhookKey } = await createTestAccount();

    const response = await postWebhook(webhookKey, { id: "abc\u0000def", status: "COMPLETED" });

    expect(response.status).toBe(400);
    const error = response.json.error as { code: string; message: string };
    expect(error.code).toBe("invalid_job_id");
    expect(error.message).toContain("control character");
    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.responseStatus).toBe(400);
  });

  it("activity API rejects a 257-character job id", async () => {
    const { apiKey } = await createTestAccount();

    const response = await postActivity("start", apiKey, {
      schema_id: "@runpod",
      data: { key: `${randomUUID()}-`.padEnd(257, "x") },
    });

    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe("invalid_fields");
    expect(response.json.error.fields).toEqual([
      { field: "data.key", message: "at most 256 characters" },
    ]);
  });
});

describe("webhook body size limit", () => {
  const saved = process.env.CHIRP_MAX_WEBHOOK_BYTES;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHIRP_MAX_WEBHOOK_BYTES;
    else process.env.CHIRP_MAX_WEBHOOK_BYTES = saved;
  });

  it.each([
    ["streamed", false],
    ["declared in Content-Length", true],
  ])("body over the limit, %s: 413 with the first part kept", async (_label, declare) => {
    process.env.CHIRP_MAX_WEBHOOK_BYTES = "1000";
    const { account, webhookKey } = await createTestAccount();
    const id = jobId();
    const bytes = new TextEncoder().encode(
      JSON.stringify({ id, status: "COMPLETED", output: "x".repeat(5000) }),
    );

    const response = await sendBytes(
      webhookKey,
      bytes,
      declare ? { "content-length": String(bytes.byteLength) } : {},
    );

    expect(response.status).toBe(413);
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe("body_too_large");
    expect(json.error.message).toContain("1000 bytes");

    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.responseStatus).toBe(413);
    expect(recorded?.errorCode).toBe("body_too_large");
    expect(recorded?.body.startsWith(`{"id":"${id}"`)).toBe(true);
    expect(await getActivityByKey({ accountId: account.id, key: id })).toBeUndefined();
  });
});
