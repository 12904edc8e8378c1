import { describe, expect, it } from "vitest";
import { getActivityByKey } from "@/lib/activities/store";
import { replayDelivery } from "@/lib/deliveries/replay";
import {
  createTestAccount,
  jobId,
  postActivity,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { deliveriesOf } from "@/lib/testing/records";
import { listKeyAudit } from "./audit";
import { setKeyEndpoints } from "./settings";
import { createKey, listKeys } from "./store";

const SCOPED = "isxbq1e254mbjz";
const OTHER = "otherendpoint1";

/** Creates an account whose webhook key may change cards of the SCOPED endpoint only. */
async function scopedAccount() {
  const fixture = await createTestAccount();
  const key = await setKeyEndpoints({
    accountId: fixture.account.id,
    keyId: fixture.webhookKeyId,
    endpointIds: [SCOPED],
    actor: "cli",
  });
  return { ...fixture, displayStart: key.displayStart };
}

describe("webhook key endpoint scope", () => {
  it("card on a scoped endpoint: applied", async () => {
    const { apiKey, webhookKey, account } = await scopedAccount();
    const job = jobId();
    await postActivity("start", apiKey, runpodStart(job, { endpoint: SCOPED }));

    const response = await postWebhook(webhookKey, { id: job, status: "COMPLETED" });

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(true);
    expect(response.json.note).toBeUndefined();
    const card = await getActivityByKey({ accountId: account.id, key: job });
    expect(card?.state).toBe("completed");
  });

  it("card on another endpoint: recorded, card unchanged", async () => {
    const { apiKey, webhookKey, account, displayStart } = await scopedAccount();
    const job = jobId();
    await postActivity("start", apiKey, runpodStart(job, { endpoint: OTHER }));

    const response = await postWebhook(webhookKey, { id: job, status: "FAILED", error: "boom" });

    expect(response.status).toBe(200);
    expect(response.json.changed).toBe(false);
    expect(response.json.state).toBe("queued");
    const expected = `The webhook key ${displayStart} is limited to endpoints ${SCOPED}; this job's card is on endpoint ${OTHER}, so the delivery left it as it was.`;
    expect(response.json.note).toBe(expected);
    const card = await getActivityByKey({ accountId: account.id, key: job });
    expect(card?.state).toBe("queued");
    const [delivery] = await deliveriesOf(account.id);
    expect(delivery?.responseStatus).toBe(200);
    expect(delivery?.jobId).toBe(job);
    expect(delivery?.activityId).toBe(card?.id);
    expect(delivery?.note).toBe(expected);
  });

  it("job without a card: recorded, no card opened", async () => {
    const { webhookKey, account } = await scopedAccount();
    const job = jobId();

    const response = await postWebhook(webhookKey, { id: job, status: "COMPLETED" });

    expect(response.status).toBe(200);
    expect(response.json.activityId).toBeNull();
    expect(response.json.changed).toBe(false);
    expect(String(response.json.note)).toContain(`job ${job} has no card yet`);
    expect(String(response.json.note)).toContain("then replay this delivery");
    expect(await getActivityByKey({ accountId: account.id, key: job })).toBeUndefined();
    const [delivery] = await deliveriesOf(account.id);
    expect(delivery?.note).toContain("RunPod's webhook body does not name the endpoint");
  });

  it("replay after the card opens applies it", async () => {
    const { apiKey, webhookKey, account } = await scopedAccount();
    const job = jobId();
    const response = await postWebhook(webhookKey, { id: job, status: "COMPLETED" });
    await postActivity("start", apiKey, runpodStart(job, { endpoint: SCOPED }));

    const replay = await replayDelivery({
      accountId: account.id,
      deliveryId: String(response.json.deliveryId),
    });

    expect(replay.state).toBe("completed");
    const [delivery] = await deliveriesOf(account.id);
    expect(delivery?.activityId).toBe(replay.activityId);
  });

  it("allowing any endpoint again applies deliveries", async () => {
    const { apiKey, webhookKey, webhookKeyId, account } = await scopedAccount();
    await setKeyEndpoints({
      accountId: account.id,
      keyId: webhookKeyId,
      endpointIds: null,
      actor: "cli",
    });
    const job = jobId();
    await postActivity("start", apiKey, runpodStart(job, { endpoint: OTHER }));

    const response = await postWebhook(webhookKey, { id: job, status: "COMPLETED" });

    expect(response.json.changed).toBe(true);
  });
});

describe("setKeyEndpoints", () => {
  it("names an invalid endpoint id", async () => {
    const { account, webhookKeyId } = await createTestAccount();
    const change = setKeyEndpoints({
      accountId: account.id,
      keyId: webhookKeyId,
      endpointIds: [SCOPED, "ISXBQ1E254MBJZ"],
      actor: "cli",
    });
    await expect(change).rejects.toMatchObject({
      code: "invalid_fields",
      fields: [{ field: "endpointIds" }],
    });
    await expect(change).rejects.toThrow(/"ISXBQ1E254MBJZ" is not a RunPod endpoint id/);
  });

  it("rejects a scope on an API key", async () => {
    const { account, apiKeyId } = await createTestAccount();
    const change = setKeyEndpoints({
      accountId: account.id,
      keyId: apiKeyId,
      endpointIds: [SCOPED],
      actor: "cli",
    });
    await expect(change).rejects.toThrow(/Only webhook keys can be limited to endpoints/);
  });

  it("stores the scope at create, sorted, and audits changes", async () => {
    const { account } = await createTestAccount();
    const { record } = await createKey({
      accountId: account.id,
      kind: "webhook",
      endpointIds: [OTHER, SCOPED, OTHER],
      actor: "cli",
    });
    expect(record.endpointIds).toEqual([SCOPED, OTHER].sort());

    await setKeyEndpoints({
      accountId: account.id,
      keyId: record.id,
      endpointIds: [SCOPED],
      actor: "cli",
    });
    const [listed] = (await listKeys({ accountId: account.id })).filter(
      (key) => key.id === record.id,
    );
    expect(listed?.endpointIds).toEqual([SCOPED]);
    const trail = await listKeyAudit({ accountId: account.id, keyId: record.id });
    const change = trail.find((event) => event.action === "scope_change");
    expect(change?.detail).toEqual({ from: `${SCOPED}, ${OTHER}`, to: SCOPED });
  });
});
