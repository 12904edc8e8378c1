import { describe, expect, it } from "vitest";
import { POST as activityRoute } from "@/app/v1/activity/[action]/route";
import { listBoard } from "@/lib/activities/store";
import { revokeKey } from "@/lib/keys/store";
import { createTestAccount, jobId, postActivity, runpodStart } from "@/lib/testing/fixtures";

async function startWithAuthorization(authorization: string | null) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== null) headers.authorization = authorization;
  const response = await activityRoute(
    new Request("http://chirp.test/v1/activity/start", {
      method: "POST",
      headers,
      body: JSON.stringify(runpodStart(jobId())),
    }),
    { params: Promise.resolve({ action: "start" }) },
  );
  return {
    status: response.status,
    json: (await response.json()) as { error: { code: string; message: string } },
  };
}

describe("activity API key checks", () => {
  it("missing Authorization: 401 saying what to send", async () => {
    const response = await startWithAuthorization(null);

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("missing_key");
    expect(response.json.error.message).toContain("Authorization: Bearer chirp_api_");
  });

  it("key without the Bearer prefix: 401 asking for it", async () => {
    const { apiKey } = await createTestAccount();

    const response = await startWithAuthorization(apiKey);

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("missing_key");
    expect(response.json.error.message).toContain("Bearer prefix");
    expect(response.json.error.message).not.toContain(apiKey);
  });

  it("Basic credentials: 401 asking for Bearer", async () => {
    const response = await startWithAuthorization("Basic dXNlcjpwYXNz");

    expect(response.status).toBe(401);
    expect(response.json.error.message).toContain("Bearer");
  });

  it("lower-case bearer scheme is accepted", async () => {
    const { account, apiKey } = await createTestAccount();

    const response = await startWithAuthorization(`bearer ${apiKey}`);

    expect(response.status).toBe(201);
    expect(await listBoard({ accountId: account.id })).toHaveLength(1);
  });

  it("webhook key as Bearer: 401 wrong_key_kind", async () => {
    const { account, webhookKey } = await createTestAccount();

    const response = await postActivity("start", webhookKey, runpodStart(jobId()));

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("wrong_key_kind");
    expect(response.json.error.message).toContain("chirp_api_");
    expect(await listBoard({ accountId: account.id })).toHaveLength(0);
  });

  it("revoked API key: 401 revoked_key", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();
    await revokeKey({ accountId: account.id, keyId: apiKeyId, actor: "cli" });

    const response = await postActivity("start", apiKey, runpodStart(jobId()));

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("revoked_key");
    expect(await listBoard({ accountId: account.id })).toHaveLength(0);
  });

  it("truncated API key: 401 invalid_key", async () => {
    const { apiKey } = await createTestAccount();

    const response = await postActivity("start", apiKey.slice(0, -3), runpodStart(jobId()));

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_key");
  });

  it("key is checked before the body", async () => {
    const response = await postActivity("start", null, "not json");

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("missing_key");
  });
});
