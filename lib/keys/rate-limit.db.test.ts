import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { databaseDriver, databaseUrl, defaultRateLimit } from "@/lib/config";
import { type Database, type Executor, getDb } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { listKeyAudit } from "./audit";
import { type KeyLimitFields, RateLimiter } from "./rate-limit";
import { setKeyRateLimit } from "./settings";
import { listKeys } from "./store";

type ErrorBody = { error: { code: string; message: string } };

async function keyFields(accountId: string, keyId: string): Promise<KeyLimitFields> {
  const key = (await listKeys({ accountId })).find((candidate) => candidate.id === keyId);
  if (!key) throw new Error(`key ${keyId} not found`);
  return key;
}

/**
 * Opens a second, independent connection pool on Postgres, standing for another app
 * instance. PGlite allows one connection per process, so there both limiters share it.
 */
let secondPool: pg.Pool | undefined;
async function secondInstanceDatabase(): Promise<Executor> {
  if (databaseDriver() === "pglite") return getDb();
  secondPool ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 });
  return drizzle({ client: secondPool, schema }) as unknown as Database;
}

afterAll(async () => {
  await secondPool?.end();
});

describe("per-key rate limits", () => {
  it("over the limit: 429 rate_limited with headers", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();
    const key = await setKeyRateLimit({
      accountId: account.id,
      keyId: webhookKeyId,
      limit: { perSecond: 1, burst: 1 },
      actor: "cli",
    });

    const first = await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("1");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000),
    );

    const limited = await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" });
    expect(limited.status).toBe(429);
    const { error } = limited.json as ErrorBody;
    expect(error.code).toBe("rate_limited");
    expect(error.message).toContain(key.displayStart);
    expect(error.message).toContain("1 request per second with bursts of 1");
    expect(error.message).toContain("retry in 1 second");
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(limited.headers.get("x-ratelimit-limit")).toBe("1");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("x-ratelimit-reset")).not.toBeNull();
  });

  it("after Retry-After seconds the next request passes", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();
    await setKeyRateLimit({
      accountId: account.id,
      keyId: webhookKeyId,
      limit: { perSecond: 1, burst: 1 },
      actor: "cli",
    });

    expect((await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" })).status).toBe(200);
    const limited = await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const next = await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" });
    expect(next.status).toBe(200);
  });

  it("API key over the limit: 429 on the activity API", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();
    await setKeyRateLimit({
      accountId: account.id,
      keyId: apiKeyId,
      limit: { perSecond: 1, burst: 2 },
      actor: "cli",
    });

    const first = await postActivity("start", apiKey, runpodStart(jobId()));
    expect(first.status).toBe(201);
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    // An error after the limit admitted the request carries the headers too.
    const invalid = await postActivity("start", apiKey, "not json");
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("x-ratelimit-remaining")).toBe("0");
    const limited = await postActivity("start", apiKey, runpodStart(jobId()));
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    expect(limited.headers.get("retry-after")).toBe("1");
  });

  it("two instances share one key's budget", async () => {
    const { account, webhookKeyId } = await createTestAccount();
    await setKeyRateLimit({
      accountId: account.id,
      keyId: webhookKeyId,
      limit: { perSecond: 1, burst: 3 },
      actor: "cli",
    });
    const key = await keyFields(account.id, webhookKeyId);
    const first = new RateLimiter(getDb);
    const second = new RateLimiter(secondInstanceDatabase);

    const decisions = [];
    for (const limiter of [first, second, first, second, first, second]) {
      decisions.push((await limiter.take(key)).allowed);
    }

    // Three tokens in the bucket, and the refill of one a second adds none in this time.
    expect(decisions.filter(Boolean)).toHaveLength(3);
    expect(decisions.slice(3)).toEqual([false, false, false]);
  });

  it("defaults admit 100 jobs/s with 3 attempts each", async () => {
    const jobsPerSecond = 100;
    const attemptsPerJob = 3;
    const limit = defaultRateLimit();
    expect(limit.perSecond).toBeGreaterThanOrEqual(jobsPerSecond * attemptsPerJob);

    const { account, webhookKeyId } = await createTestAccount();
    const key = await keyFields(account.id, webhookKeyId);
    // Simulated time: each second's calls arrive at its first instant, the worst case for
    // a bucket, spread over two instances. Each retry comes 10 s after the call before it,
    // so from the 21st second on, every second carries first calls and both retries.
    const start = Date.now();
    let now = new Date(start);
    const instances = [new RateLimiter(getDb, () => now), new RateLimiter(getDb, () => now)];
    let rejected = 0;
    let admitted = 0;
    for (let second = 0; second < 30; second++) {
      now = new Date(start + second * 1000);
      // Retries start 10 s after the first calls, so the load grows to its peak by 20 s.
      const attempts = Math.min(attemptsPerJob, 1 + Math.floor(second / 10));
      const calls = jobsPerSecond * attempts;
      for (let call = 0; call < calls; call++) {
        const decision = await instances[call % 2]!.take(key);
        if (decision.allowed) admitted++;
        else rejected++;
      }
    }
    expect(rejected).toBe(0);
    expect(admitted).toBe(100 * 10 + 200 * 10 + 300 * 10);
  });
});

describe("setKeyRateLimit", () => {
  it("names an invalid rate and burst", async () => {
    const { account, webhookKeyId } = await createTestAccount();
    const change = setKeyRateLimit({
      accountId: account.id,
      keyId: webhookKeyId,
      limit: { perSecond: 0, burst: Number.NaN },
      actor: "cli",
    });
    await expect(change).rejects.toMatchObject({
      code: "invalid_fields",
      message:
        "The rate 0 is invalid: it must be a whole number from 1 to 100,000. The burst (not a number) is invalid: it must be a whole number from 1 to 1,000,000.",
      fields: [
        { field: "rateLimitPerSecond", message: "must be a whole number from 1 to 100,000" },
        { field: "rateLimitBurst", message: "must be a whole number from 1 to 1,000,000" },
      ],
    });
  });

  it("records the change in the audit trail", async () => {
    const { account, webhookKeyId } = await createTestAccount();
    await setKeyRateLimit({
      accountId: account.id,
      keyId: webhookKeyId,
      limit: { perSecond: 5, burst: 10 },
      actor: "cli",
    });
    await setKeyRateLimit({
      accountId: account.id,
      keyId: webhookKeyId,
      limit: null,
      actor: "cli",
    });

    const trail = await listKeyAudit({ accountId: account.id, keyId: webhookKeyId });
    const changes = trail.filter((event) => event.action === "limit_change");
    expect(changes.map((event) => event.detail)).toEqual([
      { from: "default", to: "5/s burst 10" },
      { from: "5/s burst 10", to: "default" },
    ]);
  });

  it("another account's key is not found", async () => {
    const owner = await createTestAccount();
    const other = await createTestAccount();
    const change = setKeyRateLimit({
      accountId: other.account.id,
      keyId: owner.webhookKeyId,
      limit: { perSecond: 5, burst: 10 },
      actor: "cli",
    });
    await expect(change).rejects.toMatchObject({ code: "not_found" });
  });
});
