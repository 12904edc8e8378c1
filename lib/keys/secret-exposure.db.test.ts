import { sql } from "drizzle-orm";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "@/lib/cli/run";
import { getDb } from "@/lib/db/client";
import { getDelivery, listDeliveries } from "@/lib/deliveries/queries";
import { logger } from "@/lib/log";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { listKeyAudit } from "./audit";
import { setKeyEndpoints, setKeyRateLimit } from "./settings";
import { createKey, listKeys, rerollKey, revokeKey, setKeyExpiry } from "./store";

/** Returns the random part of a key, between its id and its signature. */
function secretPart(key: string): string {
  return key.split("_")[4]!;
}

/** Changes the key's signature, so the key keeps its shape but is not signed by this server. */
function forge(key: string): string {
  const signature = key.slice(-32);
  return key.slice(0, -32) + (signature.startsWith("0") ? "1" : "0") + signature.slice(1);
}

interface TextColumn {
  table: string;
  column: string;
}

/** Lists every column of every table in the schema whose values can hold text. */
async function textColumns(): Promise<TextColumn[]> {
  const db = await getDb();
  const result = (await db.execute(sql`
    select table_name as "table", column_name as "column"
    from information_schema.columns
    where table_schema = current_schema()
      and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
    order by table_name, column_name`)) as unknown as { rows: TextColumn[] };
  return result.rows;
}

/** Returns the values of a column, as text, that contain any of the strings. */
async function valuesContaining(column: TextColumn, needles: string[]): Promise<string[]> {
  const db = await getDb();
  const matches = sql.join(
    needles.map((needle) => sql`strpos(${sql.identifier(column.column)}::text, ${needle}) > 0`),
    sql` or `,
  );
  const result = (await db.execute(
    sql`select ${sql.identifier(column.column)}::text as value from ${sql.identifier(column.table)} where ${matches}`,
  )) as unknown as { rows: { value: string }[] };
  return result.rows.map((row) => row.value);
}

describe("key secrets", () => {
  const savedLevel = logger.level;
  const logLines: string[] = [];

  beforeEach(() => {
    // The logger is silent in tests, so turn it on and capture what it writes to its stream.
    const stream = (logger as unknown as Record<symbol, { write(line: string): boolean }>)[
      pino.symbols.streamSym
    ]!;
    vi.spyOn(stream, "write").mockImplementation((line: string) => {
      logLines.push(String(line));
      return true;
    });
    logger.level = "trace";
  });

  afterEach(() => {
    vi.restoreAllMocks();
    logger.level = savedLevel;
  });

  it("appear only in the response that created them", async () => {
    // Every key value created in this test; the creating call's return value is the one
    // place each may appear.
    const createdKeys: string[] = [];
    // Everything else shown to a user or operator: response bodies and headers, dashboard
    // data and command line output.
    const seen: string[] = [];
    const see = (value: unknown) => seen.push(JSON.stringify(value));
    const respond = (response: { status: number; json: unknown; headers: Headers }) => {
      see({ status: response.status, json: response.json, headers: [...response.headers] });
      return response;
    };

    const fixture = await createTestAccount();
    const accountId = fixture.account.id;
    const actor = `account:${accountId}` as const;
    createdKeys.push(fixture.webhookKey, fixture.apiKey);
    const scoped = await createKey({
      accountId,
      kind: "webhook",
      name: "scoped",
      endpointIds: ["isxbq1e254mbjz"],
      expiresAt: new Date(Date.now() + 86_400_000),
      actor,
    });
    createdKeys.push(scoped.key);
    see(scoped.record);

    // Use every key, with RunPod's body echoing the webhook URL and its key.
    const job = jobId();
    const webhookUrl = `https://chirp.example.test/v1/webhooks/runpod?key=${fixture.webhookKey}`;
    respond(await postActivity("start", fixture.apiKey, runpodStart(job)));
    respond(
      await postActivity("update", fixture.apiKey, {
        schema_id: "@runpod",
        data: { key: job, progress: "step 3/9" },
      }),
    );
    respond(
      await postWebhook(fixture.webhookKey, {
        id: job,
        status: "FAILED",
        error: `handler failed; webhook was ${webhookUrl}`,
        webhook: webhookUrl,
      }),
    );
    respond(
      await postWebhook(scoped.key, { id: jobId(), status: "COMPLETED", webhook: webhookUrl }),
    );

    // Errors: forged, wrong kind, unparseable bodies that quote the key, missing fields.
    respond(await postWebhook(forge(fixture.webhookKey), { id: jobId(), status: "COMPLETED" }));
    respond(await postWebhook(fixture.apiKey, { id: jobId(), status: "COMPLETED" }));
    respond(await postActivity("start", fixture.webhookKey, runpodStart(jobId())));
    respond(await postWebhook(fixture.webhookKey, `${fixture.webhookKey} is the body`));
    respond(await postWebhook(fixture.webhookKey, { status: "COMPLETED", webhook: webhookUrl }));
    respond(await postActivity("start", fixture.apiKey, `{"key": "${fixture.apiKey}"`));
    respond(await postActivity("update", fixture.apiKey, { schema_id: "@runpod", data: {} }));

    // Over the rate limit.
    await setKeyRateLimit({
      accountId,
      keyId: fixture.apiKeyId,
      limit: { perSecond: 1, burst: 1 },
      actor,
    });
    respond(await postActivity("start", fixture.apiKey, runpodStart(jobId())));
    respond(await postActivity("start", fixture.apiKey, runpodStart(jobId())));

    // Reroll with a grace period, use both values, then end the grace period.
    const rerolled = await rerollKey({
      accountId,
      keyId: fixture.webhookKeyId,
      grace: "1h",
      actor,
    });
    createdKeys.push(rerolled.key);
    see(rerolled.record);
    respond(await postWebhook(fixture.webhookKey, { id: jobId(), status: "COMPLETED" }));
    respond(await postWebhook(rerolled.key, { id: jobId(), status: "COMPLETED" }));
    const rerolledAgain = await rerollKey({
      accountId,
      keyId: fixture.webhookKeyId,
      grace: "none",
      actor,
    });
    createdKeys.push(rerolledAgain.key);
    respond(await postWebhook(rerolled.key, { id: jobId(), status: "COMPLETED" }));

    // Revoke, expire, rescope, and use the revoked key.
    see(await revokeKey({ accountId, keyId: scoped.record.id, actor }));
    respond(
      await postWebhook(scoped.key, { id: jobId(), status: "COMPLETED", webhook: webhookUrl }),
    );
    see(await setKeyExpiry({ accountId, keyId: fixture.apiKeyId, expiresAt: null, actor }));
    see(
      await setKeyEndpoints({ accountId, keyId: fixture.webhookKeyId, endpointIds: null, actor }),
    );

    // What the dashboard and the command line show.
    see(await listKeys({ accountId }));
    for (const keyId of [fixture.webhookKeyId, fixture.apiKeyId, scoped.record.id]) {
      see(await listKeyAudit({ accountId, keyId }));
    }
    const page = await listDeliveries({ accountId });
    see(page);
    for (const delivery of page.deliveries) {
      see(await getDelivery({ accountId, deliveryId: delivery.id }));
    }
    const cliOutput: string[] = [];
    const io = {
      stdout: (text: string) => cliOutput.push(text),
      stderr: (text: string) => cliOutput.push(text),
      env: {},
      readPassword: undefined,
    };
    expect(await runCli(["key", "list", "--user", fixture.account.email], io)).toBe(0);
    expect(await runCli(["key", "audit", fixture.webhookKeyId], io)).toBe(0);
    seen.push(...cliOutput);

    // The scenario ran: some requests were accepted and some rejected.
    expect(seen.join("\n")).toContain('"status":200');
    expect(seen.join("\n")).toContain("rate_limited");
    expect(seen.join("\n")).toContain("rerolled_key");
    expect(logLines.length).toBeGreaterThan(10);

    const secrets = createdKeys.map(secretPart);
    const logs = logLines.join("");
    const shownText = seen.join("\n");
    for (const [index, secret] of secrets.entries()) {
      expect(logs, `the logs contain the secret of key ${index}`).not.toContain(secret);
      expect(shownText, `a response contains the secret of key ${index}`).not.toContain(secret);
    }
    expect(logs).not.toContain("key=chirp_");

    // The scan finds what is there: the account's email is in one row of accounts.email.
    const emailColumn = { table: "accounts", column: "email" };
    expect(await valuesContaining(emailColumn, [fixture.account.email])).toHaveLength(1);

    const columns = await textColumns();
    expect(columns.map((column) => `${column.table}.${column.column}`)).toContain(
      "deliveries.body",
    );
    for (const column of columns) {
      const found = await valuesContaining(column, secrets);
      expect(found, `${column.table}.${column.column} contains a key secret`).toEqual([]);
    }
  });
});
