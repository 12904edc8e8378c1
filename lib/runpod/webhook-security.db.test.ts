import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { POST as webhookRoute } from "@/app/v1/webhooks/runpod/route";
import { getActivityByKey, listBoard } from "@/lib/activities/store";
import { getDb } from "@/lib/db/client";
import { apiKeys } from "@/lib/db/schema";
import { generateKey } from "@/lib/keys/format";
import { revokeKey } from "@/lib/keys/store";
import { logger } from "@/lib/log";
import { createTestAccount, jobId, postWebhook } from "@/lib/testing/fixtures";
import { deliveriesOf, eventsOf } from "@/lib/testing/records";

type ErrorBody = { error: { code: string; message: string } };

/** Changes the key's signature, so the key keeps its shape but is not signed by this server. */
function forge(key: string): string {
  const signature = key.slice(-32);
  const forged = signature.startsWith("0") ? `1${signature.slice(1)}` : `0${signature.slice(1)}`;
  return key.slice(0, -32) + forged;
}

/** Returns the random part of a key, between its id and its signature. */
function secretPart(key: string): string {
  return key.split("_")[4]!;
}

/** Returns every row of the account's deliveries, events and cards as Postgres prints it. */
async function storedRowsText(accountId: string): Promise<string> {
  const db = await getDb();
  const texts: string[] = [];
  for (const table of ["deliveries", "activity_events", "activities"]) {
    const result = (await db.execute(
      sql`select t::text as row from ${sql.identifier(table)} t where t.account_id = ${accountId}`,
    )) as unknown as { rows: { row: string }[] };
    texts.push(...result.rows.map((row) => row.row));
  }
  return texts.join("\n");
}

describe("webhook key checks", () => {
  it("forged key: 401 invalid_key, nothing recorded", async () => {
    const { account, webhookKey } = await createTestAccount();

    const response = await postWebhook(forge(webhookKey), { id: jobId(), status: "COMPLETED" });

    expect(response.status).toBe(401);
    const { error } = response.json as ErrorBody;
    expect(error.code).toBe("invalid_key");
    expect(error.message).toContain("invalid signature");
    expect(await deliveriesOf(account.id)).toHaveLength(0);
    expect(await listBoard({ accountId: account.id })).toHaveLength(0);
  });

  it("truncated key: 401 invalid_key asking for the full key", async () => {
    const { account, webhookKey } = await createTestAccount();

    const response = await postWebhook(webhookKey.slice(0, -5), {
      id: jobId(),
      status: "COMPLETED",
    });

    expect(response.status).toBe(401);
    const { error } = response.json as ErrorBody;
    expect(error.code).toBe("invalid_key");
    expect(error.message).toContain("copy it again in full");
    expect(await deliveriesOf(account.id)).toHaveLength(0);
  });

  it("validly signed key that was never stored: 401 invalid_key", async () => {
    const response = await postWebhook(generateKey("webhook").key, {
      id: jobId(),
      status: "COMPLETED",
    });

    expect(response.status).toBe(401);
    const { error } = response.json as ErrorBody;
    expect(error.code).toBe("invalid_key");
    expect(error.message).toContain("does not exist");
  });

  it("revoked key: 401 revoked_key, delivery recorded", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();
    await revokeKey({ accountId: account.id, keyId: webhookKeyId, actor: "cli" });
    const id = jobId();

    const response = await postWebhook(webhookKey, { id, status: "COMPLETED" });

    expect(response.status).toBe(401);
    const { error } = response.json as ErrorBody;
    expect(error.code).toBe("revoked_key");
    expect(error.message).toContain(webhookKeyId.replace("key_", ""));
    expect(error.message).toContain("Create a new key");

    const recorded = await deliveriesOf(account.id);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.responseStatus).toBe(401);
    expect(recorded[0]?.errorCode).toBe("revoked_key");
    expect(recorded[0]?.keyId).toBe(webhookKeyId);
    expect(await getActivityByKey({ accountId: account.id, key: id })).toBeUndefined();
  });

  it("expired key: 401 expired_key, delivery recorded", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();
    const db = await getDb();
    await db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(apiKeys.id, webhookKeyId));

    const response = await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" });

    expect(response.status).toBe(401);
    expect((response.json as ErrorBody).error.code).toBe("expired_key");
    const [recorded] = await deliveriesOf(account.id);
    expect(recorded?.errorCode).toBe("expired_key");
  });

  it("API key on the webhook URL: 401 wrong_key_kind", async () => {
    const { account, apiKey } = await createTestAccount();

    const response = await postWebhook(apiKey, { id: jobId(), status: "COMPLETED" });

    expect(response.status).toBe(401);
    const { error } = response.json as ErrorBody;
    expect(error.code).toBe("wrong_key_kind");
    expect(error.message).toContain("chirp_wh_");
    expect(error.message).not.toContain(secretPart(apiKey));
    expect(await deliveriesOf(account.id)).toHaveLength(0);
  });

  it.each([
    ["no key parameter", null],
    ["an empty key parameter", ""],
  ])("%s: 401 missing_key", async (_label, key) => {
    const response = await postWebhook(key, { id: jobId(), status: "COMPLETED" });

    expect(response.status).toBe(401);
    const { error } = response.json as ErrorBody;
    expect(error.code).toBe("missing_key");
    expect(error.message).toContain("?key=chirp_wh_");
  });
});

describe("misplaced webhook key", () => {
  async function post(query: string, headers: Record<string, string> = {}) {
    const response = await webhookRoute(
      new Request(`http://chirp.test/v1/webhooks/runpod${query}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ id: jobId(), status: "COMPLETED" }),
      }),
      undefined,
    );
    return { status: response.status, error: ((await response.json()) as ErrorBody).error };
  }

  it("key parameter in another case", async () => {
    const { webhookKey } = await createTestAccount();
    const { status, error } = await post(`?Key=${webhookKey}`);

    expect(status).toBe(401);
    expect(error.code).toBe("missing_key");
    expect(error.message).toContain('the key is in the "Key" parameter');
    expect(error.message).not.toContain(secretPart(webhookKey));
  });

  it("key in the Authorization header", async () => {
    const { webhookKey } = await createTestAccount();
    const { status, error } = await post("", { authorization: `Bearer ${webhookKey}` });

    expect(status).toBe(401);
    expect(error.code).toBe("missing_key");
    expect(error.message).toContain("the key is in the Authorization header");
    expect(error.message).not.toContain(secretPart(webhookKey));
  });
});

describe("webhook key never stored", () => {
  it("echoed webhook URL, headers and error text are redacted", async () => {
    const { account, webhookKey } = await createTestAccount();
    const webhookUrl = `https://chirp.example.test/v1/webhooks/runpod?key=${webhookKey}`;
    const headers = {
      "content-type": "application/json",
      "x-forwarded-url": `/v1/webhooks/runpod?key=${webhookKey}`,
      referer: webhookUrl,
      authorization: `Bearer ${webhookKey}`,
    };
    const id = jobId();

    const delivered = await postWebhook(
      webhookKey,
      {
        id,
        status: "COMPLETED",
        delayTime: 4736,
        executionTime: 157,
        input: { prompt: "a lighthouse at dusk" },
        output: { results: [{ success: true }] },
        webhook: webhookUrl,
      },
      headers,
    );
    expect(delivered.status).toBe(200);

    const failedId = jobId();
    const failed = await postWebhook(
      webhookKey,
      {
        id: failedId,
        status: "FAILED",
        error: JSON.stringify({
          error_type: "<class 'RuntimeError'>",
          error_message: `callback to ${webhookUrl} failed`,
        }),
        webhook: webhookUrl,
      },
      headers,
    );
    expect(failed.status).toBe(200);

    const malformed = await postWebhook(webhookKey, `webhook=${webhookUrl}&status=COMPLETED`, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(malformed.status).toBe(400);

    const recorded = await deliveriesOf(account.id);
    expect(recorded).toHaveLength(3);
    expect(recorded[0]?.body).toContain('"webhook":"https://chirp.example.test/v1/webhooks/runpod');
    expect(recorded[0]?.headers["x-forwarded-url"]).toBe("/v1/webhooks/runpod?key=[redacted]");
    expect(recorded[0]?.headers.authorization).toBeUndefined();
    expect(await eventsOf(account.id)).toHaveLength(2);

    const failedCard = await getActivityByKey({ accountId: account.id, key: failedId });
    expect(failedCard?.errorMessage).toBe(
      "callback to https://chirp.example.test/v1/webhooks/runpod?key=[redacted] failed",
    );

    const stored = await storedRowsText(account.id);
    expect(stored).toContain(id);
    expect(stored).not.toContain(webhookKey);
    expect(stored).not.toContain(secretPart(webhookKey));
  });

  describe("logs", () => {
    const savedLevel = logger.level;
    afterEach(() => {
      vi.restoreAllMocks();
      logger.level = savedLevel;
    });

    it("request log lines never contain the key", async () => {
      const { account, webhookKey, webhookKeyId } = await createTestAccount();
      const webhookUrl = `https://chirp.example.test/v1/webhooks/runpod?key=${webhookKey}`;
      // The logger is silent in tests, so turn it on and capture what it writes to its stream.
      const lines: string[] = [];
      const stream = (logger as unknown as Record<symbol, { write(line: string): boolean }>)[
        pino.symbols.streamSym
      ]!;
      vi.spyOn(stream, "write").mockImplementation((line: string) => {
        lines.push(String(line));
        return true;
      });
      logger.level = "trace";

      await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED", webhook: webhookUrl });
      await postWebhook(webhookKey, `not json ${webhookUrl}`);
      await postWebhook(webhookKey, `${webhookKey} is the body`);
      await postWebhook(forge(webhookKey), { id: jobId(), status: "COMPLETED" });
      await revokeKey({ accountId: account.id, keyId: webhookKeyId, actor: "cli" });
      await postWebhook(webhookKey, { id: jobId(), status: "FAILED", webhook: webhookUrl });

      const requests = lines.filter((line) => line.includes('"route":"webhook.runpod"'));
      expect(requests).toHaveLength(5);
      const output = lines.join("");
      expect(output).not.toContain(webhookKey);
      expect(output).not.toContain(secretPart(webhookKey));
      expect(output).not.toContain("key=chirp_");
    });
  });
});
