import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getActivityByKey, listActivityEvents } from "@/lib/activities/store";
import type { Activity } from "@/lib/db/schema";
import { listKeys, rerollKey, revokeKey } from "@/lib/keys/store";
import {
  createConnectedTestAccount,
  createTestAccount,
  postActivity,
  postProxy,
  postWebhook,
  runpodStart,
} from "@/lib/testing/fixtures";
import { getConnectionSummary } from "./connection";
import { INSPECTOR_KEY_NAME } from "./inspector-key";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

const ENDPOINT = "proxy0endpoint";
const RUNPOD_API_KEY = "rpa_PROXYTESTKEY0001";

let simulator: RunpodSimulator;
// Stands in for Chirp's public address: the simulator sends its webhooks here, and they
// reach the webhook route handler as they would through `next start`.
let chirp: Server;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

beforeAll(async () => {
  simulator = await startRunpodSimulator({ apiKey: RUNPOD_API_KEY, webhookRetryDelayMs: 50 });
  chirp = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const key = new URL(request.url ?? "/", "http://chirp.test").searchParams.get("key");
      void postWebhook(key, Buffer.concat(chunks).toString("utf8")).then((result) => {
        response.writeHead(result.status, { "Content-Type": "application/json" });
        response.end(JSON.stringify(result.json));
      });
    });
  });
  process.env.CHIRP_BASE_URL = await listen(chirp);
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
});

afterEach(() => {
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
  delete process.env.CHIRP_RUNPOD_TIMEOUT_MS;
});

afterAll(async () => {
  delete process.env.CHIRP_RUNPOD_BASE_URL;
  delete process.env.CHIRP_BASE_URL;
  await simulator.close();
  await new Promise((resolve) => chirp.close(resolve));
});

function connectedAccount() {
  return createConnectedTestAccount({ apiKey: RUNPOD_API_KEY, endpointId: ENDPOINT });
}

function job(simulate: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    input: { prompt: "proxy test", simulate: { queueMs: 20, runMs: 50, ...simulate } },
    ...extra,
  };
}

async function card(accountId: string, jobId: string): Promise<Activity | undefined> {
  return getActivityByKey({ accountId, key: jobId });
}

async function waitForClosed(accountId: string, jobId: string): Promise<Activity> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const activity = await card(accountId, jobId);
    if (activity?.closedAt) return activity;
    if (Date.now() > deadline)
      throw new Error(`card of ${jobId} did not close: ${activity?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function jobCount(): Promise<number> {
  return simulator.jobs.size;
}

describe("RunPod submit proxy", () => {
  it("run opens a card that the webhook closes", async () => {
    const { account, apiKey } = await connectedAccount();

    const response = await postProxy({
      apiKey,
      endpointId: ENDPOINT,
      body: job({}, { policy: { executionTimeout: 120_000 } }),
      headers: { "X-Chirp-Job-Name": "proxy-batch" },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { id: string; status: string };
    expect(body.status).toBe("IN_QUEUE");
    const opened = await card(account.id, body.id);
    expect(opened?.id).toBe(response.headers.get("x-chirp-activity-id"));
    expect(opened?.openedBy).toBe("inspector");
    expect(opened?.endpoint).toBe(ENDPOINT);
    expect(opened?.jobName).toBe("proxy-batch");
    expect(opened?.executionTimeoutMs).toBe(120_000);

    const submitted = simulator.jobs.get(body.id)!;
    expect(submitted.webhook).toMatch(
      new RegExp(`^${process.env.CHIRP_BASE_URL}/v1/webhooks/runpod\\?key=chirp_wh_`),
    );
    const closed = await waitForClosed(account.id, body.id);
    expect(closed.state).toBe("completed");
    const events = await listActivityEvents({ accountId: account.id, activityId: closed.id });
    expect(events.map((event) => event.source)).toEqual(["inspector", "webhook"]);
  });

  it("reads a UTF-8 job name header", async () => {
    const { account, apiKey } = await connectedAccount();

    const response = await postProxy({
      apiKey,
      endpointId: ENDPOINT,
      body: job({ dropWebhooks: 3 }),
      headers: { "X-Chirp-Job-Name": Buffer.from("café-render", "utf8").toString("latin1") },
    });

    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect((await card(account.id, id))?.jobName).toBe("café-render");
  });

  it("keeps the caller's own webhook", async () => {
    const { apiKey } = await connectedAccount();
    const own = "http://127.0.0.1:9/hooks/runpod?token=mine";

    const response = await postProxy({
      apiKey,
      endpointId: ENDPOINT,
      body: job({ dropWebhooks: 3 }, { webhook: own }),
    });

    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect(simulator.jobs.get(id)?.webhook).toBe(own);
  });

  it("mints one inspector key and reuses it", async () => {
    const { account, apiKey } = await connectedAccount();

    const first = (await (
      await postProxy({ apiKey, endpointId: ENDPOINT, body: job() })
    ).json()) as { id: string };
    const second = (await (
      await postProxy({ apiKey, endpointId: ENDPOINT, body: job() })
    ).json()) as { id: string };

    expect(simulator.jobs.get(second.id)?.webhook).toBe(simulator.jobs.get(first.id)?.webhook);
    const inspectorKeys = (await listKeys({ accountId: account.id })).filter(
      (key) => key.name === INSPECTOR_KEY_NAME,
    );
    expect(inspectorKeys).toHaveLength(1);
    expect(inspectorKeys[0]?.kind).toBe("webhook");
    expect(inspectorKeys[0]).not.toHaveProperty("encryptedSecret");
  });

  it("replaces a revoked inspector key and follows a reroll", async () => {
    const { account, apiKey } = await connectedAccount();
    const actor = `account:${account.id}` as const;
    const submit = async () => {
      const response = await postProxy({ apiKey, endpointId: ENDPOINT, body: job() });
      const { id } = (await response.json()) as { id: string };
      return { id, webhook: simulator.jobs.get(id)!.webhook! };
    };

    const first = await submit();
    const [minted] = (await listKeys({ accountId: account.id })).filter(
      (key) => key.name === INSPECTOR_KEY_NAME,
    );
    const rerolled = await rerollKey({
      accountId: account.id,
      keyId: minted!.id,
      grace: "none",
      actor,
    });
    const afterReroll = await submit();
    expect(afterReroll.webhook).not.toBe(first.webhook);
    expect(afterReroll.webhook).toContain(`key=${rerolled.key}`);
    expect((await waitForClosed(account.id, afterReroll.id)).state).toBe("completed");

    await revokeKey({ accountId: account.id, keyId: minted!.id, actor });
    const afterRevoke = await submit();
    expect(afterRevoke.webhook).not.toContain(`key=${rerolled.key}`);
    expect((await waitForClosed(account.id, afterRevoke.id)).state).toBe("completed");
    const inspectorKeys = (await listKeys({ accountId: account.id })).filter(
      (key) => key.name === INSPECTOR_KEY_NAME,
    );
    expect(inspectorKeys).toHaveLength(2);
  });

  it("runsync with a terminal status closes the card", async () => {
    const { account, apiKey } = await connectedAccount();

    const response = await postProxy({
      apiKey,
      endpointId: ENDPOINT,
      action: "runsync",
      query: "?wait=5000",
      body: job({ outcome: "FAILED", error: "CUDA out of memory", dropWebhooks: 3 }),
    });

    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; status: string };
    expect(body.status).toBe("FAILED");
    const closed = await card(account.id, body.id);
    expect(closed?.state).toBe("failed");
    expect(closed?.closedAt).not.toBeNull();
    expect(closed?.errorMessage).toContain("CUDA out of memory");
  });

  it("explains RunPod's 401 and opens no card", async () => {
    const { account, apiKey } = await connectedAccount();
    const otherRunpod = await startRunpodSimulator({ apiKey: "rpa_ANOTHERKEY0002" });
    try {
      process.env.CHIRP_RUNPOD_BASE_URL = otherRunpod.url;
      const response = await postProxy({ apiKey, endpointId: ENDPOINT, body: job() });

      expect(response.status).toBe(401);
      const { error } = (await response.json()) as { error: Record<string, unknown> };
      expect(error.code).toBe("runpod_unauthorized");
      expect(error.message).toContain("RunPod rejected the API key (401)");
      expect(error.message).toContain("Settings");
      expect(error.runpodResponse).toMatchObject({ status: 401 });
      expect(otherRunpod.jobs.size).toBe(0);
      const summary = await getConnectionSummary(account.id);
      expect(summary?.failingSince).not.toBeNull();
    } finally {
      await otherRunpod.close();
    }
  });

  it("passes RunPod's 429 Retry-After on", async () => {
    const { apiKey } = await connectedAccount();
    const jobsBefore = await jobCount();
    simulator.rateLimit(1, 7);

    const response = await postProxy({ apiKey, endpointId: ENDPOINT, body: job() });

    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error.code).toBe("runpod_rate_limited");
    expect(error.message).toContain("retry after 7 s");
    expect(await jobCount()).toBe(jobsBefore);
  });

  it("returns 504 quickly when RunPod does not answer", async () => {
    const { apiKey } = await connectedAccount();
    const silent = createServer(() => {});
    const url = await listen(silent);
    try {
      process.env.CHIRP_RUNPOD_BASE_URL = url;
      process.env.CHIRP_RUNPOD_TIMEOUT_MS = "200";
      const started = Date.now();

      const response = await postProxy({ apiKey, endpointId: ENDPOINT, body: job() });

      expect(response.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(5000);
      const { error } = (await response.json()) as { error: Record<string, unknown> };
      expect(error.code).toBe("runpod_timeout");
      expect(error.message).toContain("within 200 ms");
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("rejects an account without a RunPod connection", async () => {
    const { apiKey } = await createTestAccount();
    const jobsBefore = await jobCount();

    const response = await postProxy({ apiKey, endpointId: ENDPOINT, body: job() });

    expect(response.status).toBe(409);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error.code).toBe("runpod_not_connected");
    expect(error.message).toContain("Add your RunPod API key in Settings");
    expect(await jobCount()).toBe(jobsBefore);
  });

  it.each([
    ["an invalid endpoint id", { endpointId: "Not-An-Endpoint" }, 422, '"Not-An-Endpoint"'],
    ["a body that is not JSON", { body: "input=1" }, 400, "not valid JSON"],
    ["a JSON array body", { body: "[1]" }, 400, "it is an array"],
    ["a body without input", { body: { webhook: "https://example.test/hook" } }, 422, "input"],
    ["a webhook that is not a URL", { body: { input: {}, webhook: "nope" } }, 422, '"nope"'],
    ["an unknown query parameter", { query: "?fast=1" }, 422, "fast"],
    ["a wait out of range", { action: "runsync", query: "?wait=5" }, 422, '"5"'],
    [
      "a policy timeout that is not a number",
      { body: { input: {}, policy: { executionTimeout: "1h" } } },
      422,
      "policy.executionTimeout",
    ],
    ["an empty job name", { headers: { "X-Chirp-Job-Name": " " } }, 422, "X-Chirp-Job-Name"],
    ["an unknown action", { action: "stream" }, 404, '"stream"'],
  ])("rejects %s before sending it", async (_case, overrides, status, named) => {
    const { apiKey } = await connectedAccount();
    const jobsBefore = await jobCount();

    const response = await postProxy({ apiKey, endpointId: ENDPOINT, body: job(), ...overrides });

    expect(response.status).toBe(status);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain(named);
    expect(await jobCount()).toBe(jobsBefore);
  });

  it("attaches to the card activity/start opened", async () => {
    const { account, apiKey } = await connectedAccount();
    const response = await postProxy({
      apiKey,
      endpointId: ENDPOINT,
      body: job({ dropWebhooks: 3 }),
    });
    const { id } = (await response.json()) as { id: string };

    const started = await postActivity("start", apiKey, runpodStart(id, { endpoint: ENDPOINT }));

    expect(started.status).toBe(200);
    expect(started.json.activity.id).toBe(response.headers.get("x-chirp-activity-id"));
    const opened = await card(account.id, id);
    const events = await listActivityEvents({ accountId: account.id, activityId: opened!.id });
    expect(events.map((event) => event.source)).toEqual(["inspector", "api"]);
  });
});
