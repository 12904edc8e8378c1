import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getActivity, getActivityByKey, listActivityEvents } from "@/lib/activities/store";
import { getDb } from "@/lib/db/client";
import { type Activity, activities, duplicateGroups } from "@/lib/db/schema";
import { listDeliveries, listDeliveryReplays } from "@/lib/deliveries/queries";
import { replayDelivery } from "@/lib/deliveries/replay";
import { type RunpodSimulator, startRunpodSimulator } from "@/lib/runpod/simulator";
import {
  createConnectedTestAccount,
  createTestAccount,
  jobId,
  postActivity,
  postProxy,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { explainGroup } from "./explain";
import { dismissDuplicateGroup, mergeDuplicateGroup, undoMerge } from "./merge";
import { countOpenGroups, listDuplicateGroups } from "./queries";
import { saveDuplicateSettings } from "./settings";

const ENDPOINT = "isxbq1e254mbjz";
const RUNPOD_API_KEY = "rpa_DUPLICATESTEST01";

let simulator: RunpodSimulator;
// The simulator's webhooks for the proxy's jobs land here; the jobs below stay queued
// for a minute, so none arrives during a test.
let chirp: Server;

beforeAll(async () => {
  simulator = await startRunpodSimulator({ apiKey: RUNPOD_API_KEY, webhookRetryDelayMs: 50 });
  chirp = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end("{}");
  });
  await new Promise<void>((resolve) => chirp.listen(0, "127.0.0.1", resolve));
  process.env.CHIRP_BASE_URL = `http://127.0.0.1:${(chirp.address() as AddressInfo).port}`;
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
});

afterAll(async () => {
  delete process.env.CHIRP_RUNPOD_BASE_URL;
  delete process.env.CHIRP_BASE_URL;
  await simulator.close();
  await new Promise((resolve) => chirp.close(resolve));
});

function completed(id: string) {
  return {
    id,
    status: "COMPLETED",
    delayTime: 120,
    executionTime: 340,
    workerId: "k7m2q9x4v1b8n3",
    output: { images: ["aGVsbG8="] },
  };
}

/** Submits a job through the proxy that stays queued for a minute; returns its job id. */
async function submitThroughInspector(apiKey: string, jobName = "sdxl-batch"): Promise<string> {
  const response = await postProxy({
    apiKey,
    endpointId: ENDPOINT,
    body: { input: { prompt: "duplicates", simulate: { queueMs: 60_000 } } },
    headers: { "X-Chirp-Job-Name": jobName },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

function connectedAccount() {
  return createConnectedTestAccount({ apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
}

async function cardRow(accountId: string, id: string): Promise<Activity> {
  const card = await getActivity({ accountId, activityId: id });
  if (!card) throw new Error(`card ${id} not found`);
  return card;
}

/** Opens a card under a run name, then delivers the webhook for RunPod's job id. */
async function customKeyThenWebhook() {
  const keys = await createTestAccount();
  const runName = `nightly-render-${jobId("")}`;
  const start = await postActivity("start", keys.apiKey, runpodStart(runName));
  expect(start.status).toBe(201);
  const job = jobId();
  const webhook = await postWebhook(keys.webhookKey, completed(job));
  expect(webhook.status).toBe(200);
  const [entry] = await listDuplicateGroups({ accountId: keys.account.id, status: "open" });
  return {
    ...keys,
    runName,
    job,
    original: start.json.activity.id as string,
    webhookCard: webhook.json.activityId as string,
    entry: entry!,
  };
}

describe("duplicate detection", () => {
  it("custom key and webhook: grouped, explained, merged green", async () => {
    const { account, runName, job, original, webhookCard, entry } = await customKeyThenWebhook();

    expect(entry.group.rule).toBe("webhook_for_unknown_job");
    expect(entry.group.confidence).toBe("high");
    expect(entry.cards.map((card) => card.id).sort()).toEqual([original, webhookCard].sort());
    expect(await countOpenGroups({ accountId: account.id })).toBe(1);

    const explanation = explainGroup(entry.group, entry.cards, "https://chirp.example");
    expect(explanation.cause).toContain(`"${runName}"`);
    expect(explanation.cause).toContain(job);
    expect(explanation.fix).toContain("Pass RunPod's job id");
    expect(explanation.snippet).toContain("https://chirp.example/v1/activity/start");
    expect(explanation.snippet).toContain('"key":"JOB_ID"');

    const merged = await mergeDuplicateGroup({ accountId: account.id, groupId: entry.group.id });
    expect(merged.survivor.id).toBe(original);
    expect(merged.survivor.state).toBe("completed");
    expect(merged.survivor.executionMs).toBe(340);
    const duplicate = await cardRow(account.id, webhookCard);
    expect(duplicate.state).toBe("merged");
    expect(duplicate.mergedInto).toBe(original);
    expect(await countOpenGroups({ accountId: account.id })).toBe(0);

    const survivorEvents = await listActivityEvents({
      accountId: account.id,
      activityId: original,
    });
    expect(survivorEvents.map((event) => event.type)).toEqual(["start", "delivery", "merge"]);
    expect(survivorEvents.at(-1)!.detail).toMatchObject({ groupId: entry.group.id, count: 1 });
  });

  it("inspector and start under one key: one card, no group", async () => {
    const { account, apiKey } = await connectedAccount();
    const job = await submitThroughInspector(apiKey);
    const start = await postActivity("start", apiKey, runpodStart(job, { endpoint: ENDPOINT }));

    expect(start.status).toBe(200);
    expect(start.json.attachedTo).toBeUndefined();
    const db = await getDb();
    const cards = await db.select().from(activities).where(eq(activities.accountId, account.id));
    expect(cards).toHaveLength(1);
    expect(await countOpenGroups({ accountId: account.id })).toBe(0);
  });

  it("inspector card and start under another key: grouped", async () => {
    const { account, apiKey } = await connectedAccount();
    const job = await submitThroughInspector(apiKey);
    const start = await postActivity(
      "start",
      apiKey,
      runpodStart(`run-${jobId("")}`, { endpoint: ENDPOINT }),
    );

    expect(start.status).toBe(201);
    const [entry] = await listDuplicateGroups({ accountId: account.id, status: "open" });
    expect(entry?.group.rule).toBe("client_and_inspector");
    expect(entry?.group.confidence).toBe("high");
    expect(entry?.cards.map((card) => card.key).sort()).toEqual(
      [job, start.json.activity.key].sort(),
    );
    const explanation = explainGroup(entry!.group, entry!.cards, "https://chirp.example");
    expect(explanation.fix).toContain("either the inspector or activity/start, not both");
  });

  it("inspector only: a start under another key attaches", async () => {
    const { account, apiKey } = await connectedAccount();
    await saveDuplicateSettings(account.id, { cardOpener: "inspector", autoMerge: false });
    const job = await submitThroughInspector(apiKey);
    const runName = `run-${jobId("")}`;
    const start = await postActivity("start", apiKey, runpodStart(runName, { endpoint: ENDPOINT }));

    expect(start.status).toBe(200);
    expect(start.json.activity.key).toBe(job);
    expect(start.json.attachedTo).toEqual({ id: start.json.activity.id, key: job });
    expect(await countOpenGroups({ accountId: account.id })).toBe(0);

    // Later calls under the script's own key reach the inspector's card.
    const update = await postActivity("update", apiKey, {
      schema_id: "@runpod",
      data: { key: runName, gpuType: "NVIDIA L4" },
    });
    expect(update.status).toBe(200);
    expect(update.json.activity.id).toBe(start.json.activity.id);
    expect(update.json.activity.state).toBe("running");
    const again = await postActivity("start", apiKey, runpodStart(runName, { endpoint: ENDPOINT }));
    expect(again.json.activity.id).toBe(start.json.activity.id);
    const db = await getDb();
    const cards = await db.select().from(activities).where(eq(activities.accountId, account.id));
    expect(cards).toHaveLength(1);
  });

  it("client only: the inspector attaches to the client card", async () => {
    const { account, apiKey, webhookKey } = await connectedAccount();
    await saveDuplicateSettings(account.id, { cardOpener: "client", autoMerge: false });
    const runName = `run-${jobId("")}`;
    const start = await postActivity("start", apiKey, runpodStart(runName, { endpoint: ENDPOINT }));
    const job = await submitThroughInspector(apiKey);

    const attached = await getActivityByKey({ accountId: account.id, key: job });
    expect(attached?.id).toBe(start.json.activity.id);
    expect(attached?.attachedKey).toBe(job);
    const unknown = await postWebhook(webhookKey, { id: job, status: "PAUSED" });
    expect(unknown.json.activityId).toBe(start.json.activity.id);
    const webhook = await postWebhook(webhookKey, completed(job));
    expect(webhook.json.activityId).toBe(start.json.activity.id);
    expect((await cardRow(account.id, start.json.activity.id)).state).toBe("completed");
    expect(await countOpenGroups({ accountId: account.id })).toBe(0);
  });

  it("same name on one endpoint twice: grouped medium", async () => {
    const { account, apiKey } = await createTestAccount();
    await postActivity("start", apiKey, runpodStart(`retry-a-${jobId("")}`));
    await postActivity("start", apiKey, runpodStart(`retry-b-${jobId("")}`));

    const [entry] = await listDuplicateGroups({ accountId: account.id, status: "open" });
    expect(entry?.group.rule).toBe("same_name_within_window");
    expect(entry?.group.confidence).toBe("medium");
  });

  it("two starts at once: one group", async () => {
    const { account, apiKey } = await createTestAccount();
    await Promise.all([
      postActivity("start", apiKey, runpodStart(`retry-a-${jobId("")}`)),
      postActivity("start", apiKey, runpodStart(`retry-b-${jobId("")}`)),
    ]);

    const groups = await listDuplicateGroups({ accountId: account.id, status: "open" });
    expect(groups.map((entry) => entry.group.rule)).toEqual(["same_name_within_window"]);
  });

  it("job id in another card's name: grouped", async () => {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const job = jobId();
    // Without RunPod's times the webhook rule alone would find this pair at medium.
    await postActivity(
      "start",
      apiKey,
      runpodStart(`run-${jobId("")}`, { jobName: `render ${job}` }),
    );
    await postWebhook(webhookKey, { ...completed(job), delayTime: null, executionTime: null });

    const groups = await listDuplicateGroups({ accountId: account.id, status: "open" });
    expect(groups.map((entry) => entry.group.rule)).toEqual(["job_id_in_card_data"]);
    expect(groups[0]!.group.confidence).toBe("high");
  });

  it("another account's cards never join a group", async () => {
    const first = await createTestAccount();
    const second = await createTestAccount();
    await postActivity("start", first.apiKey, runpodStart(`run-${jobId("")}`));
    await postWebhook(second.webhookKey, completed(jobId()));
    await postActivity("start", second.apiKey, runpodStart(`other-${jobId("")}`));

    expect(await countOpenGroups({ accountId: first.account.id })).toBe(0);
    expect(await countOpenGroups({ accountId: second.account.id })).toBe(0);
    await expect(
      mergeDuplicateGroup({ accountId: second.account.id, groupId: "dup_missing" }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("group of another account: not found", async () => {
    const { entry } = await customKeyThenWebhook();
    const stranger = await createTestAccount();

    await expect(
      mergeDuplicateGroup({ accountId: stranger.account.id, groupId: entry.group.id }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("merge and undo", () => {
  it("undo restores both cards as they were", async () => {
    const { account, original, webhookCard, entry } = await customKeyThenWebhook();
    const before = [await cardRow(account.id, original), await cardRow(account.id, webhookCard)];
    const eventsBefore = await Promise.all(
      before.map((card) => listActivityEvents({ accountId: account.id, activityId: card.id })),
    );

    await mergeDuplicateGroup({ accountId: account.id, groupId: entry.group.id });
    const undone = await undoMerge({ accountId: account.id, groupId: entry.group.id });

    expect(undone.group.status).toBe("open");
    for (const [index, card] of before.entries()) {
      const after = await cardRow(account.id, card.id);
      expect({ ...after, updatedAt: undefined }).toEqual({ ...card, updatedAt: undefined });
      const events = await listActivityEvents({ accountId: account.id, activityId: card.id });
      expect(events.slice(0, eventsBefore[index]!.length)).toEqual(eventsBefore[index]);
      expect(events.map((event) => event.type).slice(eventsBefore[index]!.length)).toEqual([
        "merge",
        "unmerge",
      ]);
    }
    expect(await countOpenGroups({ accountId: account.id })).toBe(1);
  });

  it("undo after a later change is refused", async () => {
    const { account, webhookKey, job, entry } = await customKeyThenWebhook();
    await mergeDuplicateGroup({ accountId: account.id, groupId: entry.group.id });
    await postWebhook(webhookKey, completed(job));

    await expect(
      undoMerge({ accountId: account.id, groupId: entry.group.id }),
    ).rejects.toMatchObject({ code: "merge_not_undoable" });
  });

  it("late delivery for a merged card lands on the survivor", async () => {
    const keys = await createTestAccount();
    const runName = `run-${jobId("")}`;
    const start = await postActivity("start", keys.apiKey, runpodStart(runName));
    const job = jobId();
    await postWebhook(keys.webhookKey, { id: job, status: "IN_PROGRESS" });
    const [entry] = await listDuplicateGroups({ accountId: keys.account.id, status: "open" });
    expect(entry?.group.rule).toBe("webhook_for_unknown_job");

    const merged = await mergeDuplicateGroup({
      accountId: keys.account.id,
      groupId: entry!.group.id,
    });
    expect(merged.survivor.state).toBe("queued");
    const late = await postWebhook(keys.webhookKey, completed(job));

    expect(late.json.activityId).toBe(start.json.activity.id);
    expect(late.json.state).toBe("completed");
    const update = await postActivity("end", keys.apiKey, {
      schema_id: "@runpod",
      data: { key: job, status: "FAILED" },
    });
    expect(update.json.activity.id).toBe(start.json.activity.id);
    expect(update.json.activity.state).toBe("completed");
  });

  it("a replay of a merged card's delivery is listed with the delivery", async () => {
    const { account, original, webhookCard, entry } = await customKeyThenWebhook();
    const { deliveries: before } = await listDeliveries({ accountId: account.id });
    const delivery = before.find((row) => row.activityId === webhookCard)!;
    await mergeDuplicateGroup({ accountId: account.id, groupId: entry.group.id });

    const replay = await replayDelivery({ accountId: account.id, deliveryId: delivery.id });
    expect(replay.activityId).toBe(original);

    const replays = await listDeliveryReplays({ accountId: account.id, deliveryId: delivery.id });
    expect(replays).toHaveLength(1);
    const { deliveries: after } = await listDeliveries({ accountId: account.id });
    expect(after.find((row) => row.id === delivery.id)?.replays).toEqual({
      count: 1,
      latest: replays[0],
    });
  });

  it("merging twice or a dismissed group is refused", async () => {
    const { account, entry } = await customKeyThenWebhook();
    await mergeDuplicateGroup({ accountId: account.id, groupId: entry.group.id });
    await expect(
      mergeDuplicateGroup({ accountId: account.id, groupId: entry.group.id }),
    ).rejects.toMatchObject({ code: "group_not_open" });

    const other = await customKeyThenWebhook();
    await dismissDuplicateGroup({ accountId: other.account.id, groupId: other.entry.group.id });
    await expect(
      mergeDuplicateGroup({ accountId: other.account.id, groupId: other.entry.group.id }),
    ).rejects.toMatchObject({ code: "group_not_open" });
  });

  it("merge racing a webhook: no lost transition, one survivor", async () => {
    for (let round = 0; round < 5; round++) {
      const keys = await createTestAccount();
      const start = await postActivity("start", keys.apiKey, runpodStart(`run-${jobId("")}`));
      const job = jobId();
      await postWebhook(keys.webhookKey, { id: job, status: "IN_QUEUE" });
      const [entry] = await listDuplicateGroups({ accountId: keys.account.id, status: "open" });

      const [merge, webhook] = await Promise.all([
        mergeDuplicateGroup({ accountId: keys.account.id, groupId: entry!.group.id }),
        postWebhook(keys.webhookKey, completed(job)),
      ]);

      expect(webhook.status).toBe(200);
      expect(merge.survivor.id).toBe(start.json.activity.id);
      const survivor = await cardRow(keys.account.id, start.json.activity.id);
      expect(survivor.state).toBe("completed");
      const duplicate = await getActivityByKey({ accountId: keys.account.id, key: job });
      expect(duplicate?.state).toBe("merged");
      const db = await getDb();
      const open = await db
        .select()
        .from(activities)
        .where(and(eq(activities.accountId, keys.account.id), eq(activities.state, "completed")));
      expect(open).toHaveLength(1);
    }
  });

  it("auto-merge merges a high-confidence group", async () => {
    const keys = await createTestAccount();
    await saveDuplicateSettings(keys.account.id, { cardOpener: "both", autoMerge: true });
    const start = await postActivity("start", keys.apiKey, runpodStart(`run-${jobId("")}`));
    await postWebhook(keys.webhookKey, completed(jobId()));

    const db = await getDb();
    const [group] = await db
      .select()
      .from(duplicateGroups)
      .where(eq(duplicateGroups.accountId, keys.account.id));
    expect(group?.status).toBe("merged");
    expect((await cardRow(keys.account.id, start.json.activity.id)).state).toBe("completed");
  });
});
