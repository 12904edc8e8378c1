import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { actionLine } from "@/lib/activities/presentation";
import { getActivityByKey, listActivityEvents } from "@/lib/activities/store";
import { toActivityView } from "@/lib/activities/view";
import type { WatchdogSettings } from "@/lib/config";
import type { Activity } from "@/lib/db/schema";
import { createTestAccount, postActivity, postWebhook, runpodStart } from "@/lib/testing/fixtures";
import { getConnectionSummary, saveConnection } from "./connection";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";
import { runWatchdogPass } from "./watchdog";

const ENDPOINT = "wdog0endpoint1";
const RUNPOD_API_KEY = "rpa_WATCHDOGTESTKEY0001";

// Fast enough for tests: cards are due 50 ms after opening, and polled again every 50 to
// 100 ms while open.
const SETTINGS: WatchdogSettings = {
  inApp: false,
  afterSeconds: 0.05,
  tickSeconds: 0.05,
  backoffSeconds: 0.05,
  maxBackoffSeconds: 0.1,
};

let simulator: RunpodSimulator;
const statusPolls: string[] = [];

beforeAll(async () => {
  simulator = await startRunpodSimulator({
    apiKey: RUNPOD_API_KEY,
    webhookRetryDelayMs: 20,
    onLog: (line) => {
      if (line.startsWith("GET /v2/") && line.includes("/status/")) statusPolls.push(line);
    },
  });
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
  process.env.CHIRP_WATCHDOG_AFTER_SECONDS = String(SETTINGS.afterSeconds);
});

afterEach(() => {
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
});

afterAll(async () => {
  delete process.env.CHIRP_RUNPOD_BASE_URL;
  delete process.env.CHIRP_WATCHDOG_AFTER_SECONDS;
  await simulator.close();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates an account with a RunPod connection to the simulator. */
async function connectedAccount() {
  const keys = await createTestAccount();
  await saveConnection({
    accountId: keys.account.id,
    apiKey: RUNPOD_API_KEY,
    endpointId: ENDPOINT,
  });
  return keys;
}

async function submitJob(
  simulate: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const response = await fetch(`${simulator.url}/v2/${ENDPOINT}/run`, {
    method: "POST",
    headers: { Authorization: `Bearer ${RUNPOD_API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      input: { prompt: "watchdog test", simulate },
      // Nothing listens here; dropped attempts are never sent anyway.
      webhook: "http://127.0.0.1:9/v1/webhooks/runpod?key=unused",
      ...extra,
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

async function openCard(apiKey: string, jobId: string, data: Record<string, unknown> = {}) {
  const started = await postActivity(
    "start",
    apiKey,
    runpodStart(jobId, { endpoint: ENDPOINT, ...data }),
  );
  expect(started.status).toBe(201);
}

async function card(accountId: string, jobId: string): Promise<Activity> {
  const activity = await getActivityByKey({ accountId, key: jobId });
  if (!activity) throw new Error(`no card for job ${jobId}`);
  return activity;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Runs watchdog passes for the account until its card for `jobId` is closed. */
async function pollUntilClosed(accountId: string, jobId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runWatchdogPass({ settings: SETTINGS, accountId });
    const current = await card(accountId, jobId);
    if (current.closedAt !== null) return current;
    if (Date.now() > deadline) throw new Error(`card still ${current.state} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Counts the simulator's `/status` requests for the job, 429 responses included. */
function pollsOf(jobId: string): number {
  return statusPolls.filter((line) => line.includes(`/status/${jobId} `)).length;
}

describe("watchdog", () => {
  it("closes a card whose webhook RunPod dropped three times", async () => {
    const { account, apiKey } = await connectedAccount();
    const jobId = await submitJob({
      outcome: "FAILED",
      queueMs: 20,
      runMs: 50,
      dropWebhooks: 3,
      error: "CUDA out of memory",
    });
    await openCard(apiKey, jobId);
    await waitFor(() => simulator.jobs.get(jobId)?.webhookDelivery === "failed");

    const closed = await pollUntilClosed(account.id, jobId);

    expect(closed.state).toBe("failed");
    expect(closed.runpodStatus).toBe("FAILED");
    expect(closed.errorMessage).toBe("CUDA out of memory");
    const events = await listActivityEvents({ accountId: account.id, activityId: closed.id });
    const closing = events.at(-1)!;
    expect(closing.source).toBe("watchdog");
    expect(closing.type).toBe("poll");
    expect(closing.stateAfter).toBe("failed");
  });

  it("closes a card as expired when RunPod returns 404", async () => {
    const { account, apiKey } = await connectedAccount();
    const jobId = await submitJob({ queueMs: 60_000 }, { policy: { ttl: 100 } });
    await openCard(apiKey, jobId);
    await sleep(150);

    const closed = await pollUntilClosed(account.id, jobId);

    expect(closed.state).toBe("expired");
    expect(actionLine(toActivityView(closed))).toBe("RunPod no longer knows this job");
    const events = await listActivityEvents({ accountId: account.id, activityId: closed.id });
    const expiry = events.at(-1)!;
    expect(expiry.type).toBe("expire");
    expect(expiry.source).toBe("watchdog");
    expect(expiry.stateBefore).toBe("queued");
    expect(String(expiry.detail.reason)).toContain("404");
  });

  it("shows a job stuck in the queue with the endpoint's queue count", async () => {
    const { account, apiKey } = await connectedAccount();
    const endpointQueue = (await (
      await fetch(`${simulator.url}/v2/${ENDPOINT}/health`, {
        headers: { Authorization: `Bearer ${RUNPOD_API_KEY}` },
      })
    ).json()) as { jobs: { inQueue: number } };
    const jobId = await submitJob({ queueMs: 120_000 });
    await submitJob({ queueMs: 120_000 });
    await openCard(apiKey, jobId);
    await sleep(80);
    const passStartedAt = Date.now();

    const results = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });

    expect(results.map((result) => result.runpodStatus)).toEqual(["IN_QUEUE"]);
    const stuck = await card(account.id, jobId);
    expect(stuck.state).toBe("queued");
    expect(stuck.closedAt).toBeNull();
    expect(stuck.queueCount).toBe(endpointQueue.jobs.inQueue + 2);
    expect(actionLine(toActivityView(stuck))).toBe(
      `Waiting for a GPU, ${endpointQueue.jobs.inQueue + 2} in queue`,
    );
    expect(stuck.nextPollAt.getTime()).toBeGreaterThanOrEqual(
      passStartedAt + SETTINGS.backoffSeconds * 1000 - 10,
    );
  });

  it("follows a re-queued job until it fails", async () => {
    const { account, apiKey } = await connectedAccount();
    const jobId = await submitJob({
      queueMs: 20,
      runMs: 500,
      statusSequence: ["IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS", "FAILED"],
    });
    await openCard(apiKey, jobId);

    const closed = await pollUntilClosed(account.id, jobId);

    expect(closed.state).toBe("failed");
    const events = await listActivityEvents({ accountId: account.id, activityId: closed.id });
    const states = events
      .filter((event) => event.source === "watchdog")
      .map((event) => event.stateAfter)
      .filter((state, index, all) => index === 0 || all[index - 1] !== state);
    expect(states).toEqual(["running", "queued", "running", "failed"]);
  });

  it("ignores IN_PROGRESS that arrives after the webhook said COMPLETED", async () => {
    const { account, apiKey, webhookKey } = await connectedAccount();
    const jobId = "late-poll-job-u1";
    const uniqueJobId = `${jobId}-${account.id}`;
    // A RunPod stand-in whose /status lets the webhook close the card first, then returns
    // IN_PROGRESS: the race between a claimed poll and a late webhook.
    const server = createServer((request, response) => {
      void (async () => {
        if (request.url?.includes("/status/")) {
          await postWebhook(webhookKey, { id: uniqueJobId, status: "COMPLETED", output: {} });
          response.writeHead(200, { "Content-Type": "application/json" });
          response.end(JSON.stringify({ id: uniqueJobId, status: "IN_PROGRESS" }));
          return;
        }
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ jobs: { inQueue: 0 }, workers: { running: 1 } }));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      process.env.CHIRP_RUNPOD_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await openCard(apiKey, uniqueJobId);
      await sleep(80);

      const results = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });

      expect(results).toEqual([
        expect.objectContaining({ outcome: "unchanged", runpodStatus: "IN_PROGRESS" }),
      ]);
      const closed = await card(account.id, uniqueJobId);
      expect(closed.state).toBe("completed");
      const events = await listActivityEvents({ accountId: account.id, activityId: closed.id });
      const late = events.at(-1)!;
      expect(late.source).toBe("watchdog");
      expect(late.runpodStatus).toBe("IN_PROGRESS");
      expect(late.stateBefore).toBe("completed");
      expect(late.stateAfter).toBe("completed");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("backs off after a 429 until Retry-After has passed", async () => {
    const { account, apiKey } = await connectedAccount();
    const jobId = await submitJob({ queueMs: 20, statusSequence: ["IN_PROGRESS"] });
    await openCard(apiKey, jobId);
    await sleep(80);
    simulator.rateLimit(1, 1);

    const limited = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });
    await sleep(200);
    const duringBackOff = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });

    expect(limited.map((result) => result.outcome)).toEqual(["rate_limited"]);
    expect(duringBackOff).toEqual([]);
    expect(pollsOf(jobId)).toBe(1);

    await sleep(900);
    const afterBackOff = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });
    expect(afterBackOff.map((result) => result.runpodStatus)).toEqual(["IN_PROGRESS"]);
    expect(pollsOf(jobId)).toBe(2);
  });

  it("stops polling an account whose key RunPod rejects", async () => {
    const { account, apiKey } = await connectedAccount();
    const jobId = await submitJob({ queueMs: 20, statusSequence: ["IN_PROGRESS"] });
    await openCard(apiKey, jobId);
    await sleep(80);
    const otherRunpod = await startRunpodSimulator({ apiKey: "rpa_ANOTHERKEY0002" });
    try {
      process.env.CHIRP_RUNPOD_BASE_URL = otherRunpod.url;

      const rejected = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });
      await sleep(150);
      const afterwards = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });

      expect(rejected.map((result) => result.outcome)).toEqual(["unauthorized"]);
      expect(afterwards).toEqual([]);
      const connection = await getConnectionSummary(account.id);
      expect(connection?.failingSince).not.toBeNull();
      expect(connection?.failureMessage).toContain("401");
    } finally {
      await otherRunpod.close();
    }

    process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
    await saveConnection({ accountId: account.id, apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
    expect((await getConnectionSummary(account.id))?.failingSince).toBeNull();
    const resumed = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });
    expect(resumed.map((result) => result.runpodStatus)).toEqual(["IN_PROGRESS"]);
  });

  it("waits for the job's execution timeout before the first poll", async () => {
    const { account, apiKey } = await connectedAccount();
    const jobId = await submitJob({ queueMs: 20, statusSequence: ["IN_PROGRESS"] });
    await openCard(apiKey, jobId, { policy: { executionTimeout: 60_000 } });
    await sleep(150);

    const results = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });

    expect(results).toEqual([]);
    const waiting = await card(account.id, jobId);
    expect(waiting.executionTimeoutMs).toBe(60_000);
    expect(waiting.nextPollAt.getTime() - waiting.createdAt.getTime()).toBeGreaterThanOrEqual(
      59_000,
    );
  });

  it("leaves cards of accounts without a connection alone", async () => {
    const { account, apiKey } = await createTestAccount();
    const jobId = await submitJob({ queueMs: 20, statusSequence: ["IN_PROGRESS"] });
    await openCard(apiKey, jobId);
    await sleep(80);

    const results = await runWatchdogPass({ settings: SETTINGS, accountId: account.id });

    expect(results).toEqual([]);
    expect(pollsOf(jobId)).toBe(0);
  });
});
