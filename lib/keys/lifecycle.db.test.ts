import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "@/lib/db/client";
import { apiKeys } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliveriesOf } from "@/lib/testing/records";
import { listKeyAudit, recordRejectedUse } from "./audit";
import { authenticateKey, createKey, rerollKey, revokeKey, setKeyExpiry } from "./store";

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** Moves the end of the old value's grace period, standing in for time passing. */
async function setPreviousValidUntil(keyId: string, until: Date): Promise<void> {
  const db = await getDb();
  await db.update(apiKeys).set({ previousValidUntil: until }).where(eq(apiKeys.id, keyId));
}

function keyIdOf(key: string): string {
  return `key_${key.split("_")[3]}`;
}

/** Returns every audit row of the account as Postgres prints it, for a search for secrets. */
async function auditRowsText(accountId: string): Promise<string> {
  const db = await getDb();
  const result = (await db.execute(
    sql`select t::text as row from key_audit_events t where t.account_id = ${accountId}`,
  )) as unknown as { rows: { row: string }[] };
  return result.rows.map((row) => row.row).join("\n");
}

describe("rerollKey", () => {
  it("keeps the key id and kind and works at once", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();

    const rerolled = await rerollKey({
      accountId: account.id,
      keyId: apiKeyId,
      grace: "1h",
      actor: "cli",
    });

    expect(rerolled.key).not.toBe(apiKey);
    expect(keyIdOf(rerolled.key)).toBe(apiKeyId);
    expect(rerolled.record.kind).toBe("api");
    expect(rerolled.record.name).toBe("test api");
    expect(rerolled.record.rerolledAt).toBeInstanceOf(Date);
    expect((await authenticateKey(rerolled.key, "api")).id).toBe(apiKeyId);
    const response = await postActivity("start", rerolled.key, runpodStart(jobId()));
    expect(response.status).toBe(201);
  });

  it("old value works until the grace deadline, then 401", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();
    const rerolled = await rerollKey({
      accountId: account.id,
      keyId: apiKeyId,
      grace: "24h",
      actor: "cli",
    });
    const deadline = rerolled.record.previousValidUntil!;
    expect(deadline.getTime() - rerolled.record.rerolledAt!.getTime()).toBe(24 * 60 * 60 * 1000);

    expect((await authenticateKey(apiKey, "api")).id).toBe(apiKeyId);

    const passed = new Date(Date.now() - 1000);
    await setPreviousValidUntil(apiKeyId, passed);
    const response = await postActivity("start", apiKey, runpodStart(jobId()));
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("rerolled_key");
    expect(response.json.error.message).toContain("was rerolled on");
    expect(response.json.error.message).toContain(
      `old value stopped working on ${passed.toISOString()}`,
    );
    expect(response.json.error.message).not.toContain(apiKey);
    expect((await authenticateKey(rerolled.key, "api")).id, "the new value still works").toBe(
      apiKeyId,
    );
  });

  it("grace none rejects the old value at once", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();

    const rerolled = await rerollKey({
      accountId: account.id,
      keyId: webhookKeyId,
      grace: "none",
      actor: "cli",
    });

    expect(rerolled.record.previousValidUntil).toBeNull();
    const error = await rejection(authenticateKey(webhookKey, "webhook"));
    expect(error.code).toBe("rerolled_key");
    expect(error.status).toBe(401);
    expect(error.message).toContain(rerolled.record.rerolledAt!.toISOString());
    expect((await authenticateKey(rerolled.key, "webhook")).id).toBe(webhookKeyId);
  });

  it("second reroll ends the first old value's grace", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();
    const first = await rerollKey({
      accountId: account.id,
      keyId: apiKeyId,
      grace: "1h",
      actor: "cli",
    });
    const second = await rerollKey({
      accountId: account.id,
      keyId: apiKeyId,
      grace: "1h",
      actor: "cli",
    });

    expect((await rejection(authenticateKey(apiKey, "api"))).code).toBe("rerolled_key");
    expect((await authenticateKey(first.key, "api")).id).toBe(apiKeyId);
    expect((await authenticateKey(second.key, "api")).id).toBe(apiKeyId);
  });

  it("rejects an expired key", async () => {
    const { account, apiKeyId } = await createTestAccount();
    const db = await getDb();
    await db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, apiKeyId));

    const error = await rejection(
      rerollKey({ accountId: account.id, keyId: apiKeyId, grace: "1h", actor: "cli" }),
    );

    expect(error.code).toBe("key_not_active");
    expect(error.message).toContain("set a later expiry or none first");
  });

  it("old webhook value's delivery is recorded as rerolled_key", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();
    await rerollKey({ accountId: account.id, keyId: webhookKeyId, grace: "none", actor: "cli" });

    const job = jobId();
    const response = await postWebhook(webhookKey, { id: job, status: "COMPLETED" });

    expect(response.status).toBe(401);
    const deliveries = await deliveriesOf(account.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.errorCode).toBe("rerolled_key");
    expect(deliveries[0]!.responseStatus).toBe(401);
    expect(deliveries[0]!.jobId).toBe(job);
    expect(deliveries[0]!.runpodStatus).toBe("COMPLETED");
  });

  it("rejects a revoked key", async () => {
    const { account, apiKeyId } = await createTestAccount();
    await revokeKey({ accountId: account.id, keyId: apiKeyId, actor: "cli" });

    const error = await rejection(
      rerollKey({ accountId: account.id, keyId: apiKeyId, grace: "none", actor: "cli" }),
    );

    expect(error.code).toBe("key_not_active");
    expect(error.message).toContain("was revoked on");
    expect(error.message).toContain("create a new key");
  });

  it("treats another account's key as not found", async () => {
    const owner = await createTestAccount();
    const other = await createTestAccount();

    const error = await rejection(
      rerollKey({
        accountId: other.account.id,
        keyId: owner.apiKeyId,
        grace: "none",
        actor: "cli",
      }),
    );

    expect(error.code).toBe("not_found");
    expect((await authenticateKey(owner.apiKey, "api")).id).toBe(owner.apiKeyId);
  });
});

describe("setKeyExpiry", () => {
  it("rejects a past time", async () => {
    const { account, apiKeyId } = await createTestAccount();
    const past = new Date(Date.now() - 60_000);

    const error = await rejection(
      setKeyExpiry({ accountId: account.id, keyId: apiKeyId, expiresAt: past, actor: "cli" }),
    );

    expect(error.code).toBe("invalid_fields");
    expect(error.message).toContain(past.toISOString());
    expect(error.message).toContain("in the past");
  });

  it("expired key gets expired_key, cleared expiry works again", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();
    const soon = new Date(Date.now() + 60_000);
    await setKeyExpiry({ accountId: account.id, keyId: apiKeyId, expiresAt: soon, actor: "cli" });
    expect((await authenticateKey(apiKey, "api")).expiresAt?.toISOString()).toBe(
      soon.toISOString(),
    );

    const db = await getDb();
    const passed = new Date(Date.now() - 1000);
    await db.update(apiKeys).set({ expiresAt: passed }).where(eq(apiKeys.id, apiKeyId));
    const error = await rejection(authenticateKey(apiKey, "api"));
    expect(error.code).toBe("expired_key");
    expect(error.message).toContain(passed.toISOString());

    await setKeyExpiry({ accountId: account.id, keyId: apiKeyId, expiresAt: null, actor: "cli" });
    expect((await authenticateKey(apiKey, "api")).id).toBe(apiKeyId);
  });

  it("createKey takes an expiry and rejects a past one", async () => {
    const { account } = await createTestAccount();
    const inAWeek = new Date(Date.now() + 7 * 24 * 60 * 60 * 1000);

    const created = await createKey({
      accountId: account.id,
      kind: "api",
      expiresAt: inAWeek,
      actor: "cli",
    });
    expect(created.record.expiresAt?.toISOString()).toBe(inAWeek.toISOString());

    const error = await rejection(
      createKey({
        accountId: account.id,
        kind: "api",
        expiresAt: new Date(Date.now() - 1000),
        actor: "cli",
      }),
    );
    expect(error.code).toBe("invalid_fields");
  });
});

describe("deleted key", () => {
  it("valid signature with no record gets 401 and an audit row", async () => {
    const { account, apiKey, apiKeyId } = await createTestAccount();
    const db = await getDb();
    await db.delete(apiKeys).where(eq(apiKeys.id, apiKeyId));

    const response = await postActivity("start", apiKey, runpodStart(jobId()), {
      "x-forwarded-for": "203.0.113.9, 10.0.0.1",
    });

    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe("invalid_key");
    expect(response.json.error.message).toContain(apiKeyId.replace("key_", ""));
    const trail = await listKeyAudit({ accountId: account.id, keyId: apiKeyId });
    expect(trail.map((event) => event.action)).toEqual(["create", "rejected_deleted"]);
    expect(trail[1]!.actor).toBe("request");
    expect(trail[1]!.ip).toBe("203.0.113.9");
  });
});

describe("key audit trail", () => {
  it("records each change and rejected use without secrets", async () => {
    const { account, webhookKey, apiKey, apiKeyId } = await createTestAccount();
    const actor = `account:${account.id}` as const;
    const ip = "198.51.100.7";
    const expiresAt = new Date(Date.now() + 60 * 60 * 1000);

    await setKeyExpiry({ accountId: account.id, keyId: apiKeyId, expiresAt, actor, ip });
    const rerolled = await rerollKey({
      accountId: account.id,
      keyId: apiKeyId,
      grace: "1h",
      actor,
      ip,
    });
    const db = await getDb();
    await db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, apiKeyId));
    const expired = await postActivity("start", rerolled.key, runpodStart(jobId()), {
      "x-forwarded-for": ip,
    });
    expect(expired.json.error.code).toBe("expired_key");
    await revokeKey({ accountId: account.id, keyId: apiKeyId, actor: "cli" });
    await revokeKey({ accountId: account.id, keyId: apiKeyId, actor: "cli" });
    const revoked = await postActivity("start", rerolled.key, runpodStart(jobId()));
    expect(revoked.json.error.code).toBe("revoked_key");

    const trail = await listKeyAudit({ accountId: account.id, keyId: apiKeyId });
    expect(trail.map((event) => event.action)).toEqual([
      "create",
      "expiry_change",
      "reroll",
      "rejected_expired",
      "revoke",
      "rejected_revoked",
    ]);
    const [create, expiry, reroll, rejectedExpired, revoke, rejectedRevoked] = trail;
    expect(create!.actor).toBe(actor);
    expect(create!.actorName).toBe(account.email);
    expect(expiry!.detail).toEqual({ from: null, to: expiresAt.toISOString() });
    expect(expiry!.ip).toBe(ip);
    expect(reroll!.detail).toMatchObject({
      grace: "1h",
      previousValidUntil: rerolled.record.previousValidUntil!.toISOString(),
    });
    expect(reroll!.displayStart).toBe(rerolled.record.displayStart);
    expect(rejectedExpired!.actor).toBe("request");
    expect(rejectedExpired!.actorName).toBe("request with the key");
    expect(rejectedExpired!.ip).toBe(ip);
    expect(revoke!.actor).toBe("cli");
    expect(revoke!.actorName).toBe("command line");
    expect(rejectedRevoked!.ip).toBeNull();

    const stored = await auditRowsText(account.id);
    for (const key of [apiKey, rerolled.key, webhookKey]) {
      expect(stored).not.toContain(key.split("_")[4]);
      expect(stored).not.toContain(key.slice(-32));
    }
  });

  it("failed write of a rejected use does not throw", async () => {
    const { apiKeyId } = await createTestAccount();

    const warn = vi.spyOn(logger, "warn").mockImplementation(() => {});

    // No such account: the foreign key rejects the insert.
    await expect(
      recordRejectedUse({
        accountId: "acc_doesnotexist00000000",
        keyId: apiKeyId,
        displayStart: null,
        action: "rejected_revoked",
        ip: null,
      }),
    ).resolves.toBeUndefined();

    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ keyId: apiKeyId, action: "rejected_revoked" }),
      "failed to record a rejected key use",
    );
    warn.mockRestore();
  });

  it("another account's key audit is not found", async () => {
    const owner = await createTestAccount();
    const other = await createTestAccount();

    const error = await rejection(
      listKeyAudit({ accountId: other.account.id, keyId: owner.apiKeyId }),
    );

    expect(error.code).toBe("not_found");
  });
});
