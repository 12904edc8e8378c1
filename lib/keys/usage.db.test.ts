import { describe, expect, it } from "vitest";
import { listKeys } from "@/lib/keys/store";
import { createTestAccount, jobId, postWebhook } from "@/lib/testing/fixtures";
import { countKeyUse, flushKeyUse } from "./usage";

describe("key use counting", () => {
  it("flush adds buffered uses to each key", async () => {
    const { account, webhookKeyId, apiKeyId } = await createTestAccount();

    countKeyUse(webhookKeyId);
    countKeyUse(webhookKeyId);
    countKeyUse(webhookKeyId);
    countKeyUse(apiKeyId);
    await flushKeyUse();
    countKeyUse(apiKeyId);
    await flushKeyUse();

    const keys = await listKeys({ accountId: account.id });
    const webhook = keys.find((key) => key.id === webhookKeyId);
    const api = keys.find((key) => key.id === apiKeyId);
    expect(webhook?.useCount).toBe(3);
    expect(api?.useCount).toBe(2);
    expect(webhook?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("webhook delivery counts one use of its key", async () => {
    const { account, webhookKey, webhookKeyId } = await createTestAccount();

    await postWebhook(webhookKey, { id: jobId(), status: "COMPLETED" });
    await flushKeyUse();

    const [key] = (await listKeys({ accountId: account.id })).filter((k) => k.id === webhookKeyId);
    expect(key?.useCount).toBe(1);
    expect(key?.lastUsedAt).not.toBeNull();
  });

  it("unused keys keep count 0 and no last use", async () => {
    const { account } = await createTestAccount();
    await flushKeyUse();
    for (const key of await listKeys({ accountId: account.id })) {
      expect(key.useCount).toBe(0);
      expect(key.lastUsedAt).toBeNull();
    }
  });
});
