import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as activityRoute } from "@/app/v1/activity/[action]/route";
import { GET as pingRoute } from "@/app/v1/ping/route";
import {
  GET as getConnectionRoute,
  PUT as putConnectionRoute,
} from "@/app/v1/runpod-connection/route";
import { POST as webhookRoute } from "@/app/v1/webhooks/runpod/route";
import { listBoard } from "@/lib/activities/store";
import { createTestAccount } from "@/lib/testing/fixtures";
import { getConnectionSummary, saveConnection } from "./connection";
import { type DemoOutput, runDemo } from "./demo";
import { countStatusPoll } from "./demo-checks";
import { DEMO_CONNECTION_ENDPOINT, DEMO_RUNPOD_API_KEY, type DemoJob } from "./demo-config";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

/**
 * Runs the demo against Chirp's route handlers, served over HTTP on 127.0.0.1 with the
 * test database, and the demo's RunPod simulator.
 */

const ENDPOINT = "abcdefgh012345";
const STOP_MESSAGE = "Demo stopped: the webhook key was rejected";

/**
 * Chirp's routes that the demo calls, with switches that make `activity/end` fail and
 * that withhold the response to one job's `activity/start` after Chirp handled it.
 */
class ChirpServer {
  readonly requests: string[] = [];
  failActivityEnd = false;
  withholdStartOf: string | undefined;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ChirpServer> {
    let chirp: ChirpServer | undefined;
    const server = createServer((message, response) => {
      void chirp!.handle(message, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    chirp = new ChirpServer(server, `http://127.0.0.1:${port}`);
    return chirp;
  }

  private async handle(message: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(message.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const method = message.method ?? "GET";
    const request = new Request(new URL(message.url ?? "/", this.url), {
      method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const path = new URL(request.url).pathname;
    this.requests.push(`${method} ${path}`);

    const answer = await this.route(method, path, request);
    if (path === "/v1/activity/start" && this.withholdStartOf !== undefined) {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        data: { jobName?: string };
      };
      if (body.data.jobName === this.withholdStartOf) {
        await new Promise((resolve) => response.once("close", resolve));
        return;
      }
    }
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  }

  private route(method: string, path: string, request: Request): Promise<Response> {
    const action = /^\/v1\/activity\/([a-z]+)$/.exec(path)?.[1];
    if (path === "/v1/ping") return pingRoute();
    if (path === "/v1/runpod-connection" && method === "GET")
      return getConnectionRoute(request, undefined);
    if (path === "/v1/runpod-connection" && method === "PUT")
      return putConnectionRoute(request, undefined);
    if (path === "/v1/webhooks/runpod") return webhookRoute(request, undefined);
    if (action === "end" && this.failActivityEnd) {
      return Promise.resolve(
        Response.json(
          { error: { code: "unavailable", message: "Chirp is restarting." } },
          { status: 503 },
        ),
      );
    }
    if (action !== undefined) {
      return activityRoute(request, { params: Promise.resolve({ action }) });
    }
    return Promise.resolve(new Response("no such route in the test server", { status: 404 }));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

/** Collects what the demo prints. */
function recordOutput(): DemoOutput & { logged: string[]; errors: string[] } {
  const logged: string[] = [];
  const errors: string[] = [];
  return {
    logged,
    errors,
    log: (text) => logged.push(text),
    error: (text) => errors.push(text),
  };
}

function demoJob(jobName: string, job: Partial<DemoJob> = {}): DemoJob {
  return {
    jobName,
    endpointId: ENDPOINT,
    submitAfterMs: 0,
    prompt: `prompt of ${jobName}`,
    simulate: { outcome: "COMPLETED", queueMs: 100, runMs: 100, output: { ok: true } },
    gpuType: "NVIDIA L4",
    ...job,
  };
}

let chirp: ChirpServer;
let simulator: RunpodSimulator;
let statusPolls: Map<string, number>;
const originalRunpodUrl = process.env.CHIRP_RUNPOD_BASE_URL;

beforeEach(async () => {
  chirp = await ChirpServer.start();
  statusPolls = new Map();
  simulator = await startRunpodSimulator({
    webhookRetryDelayMs: 100,
    onLog: (line) => countStatusPoll(statusPolls, line),
  });
  // Before saving a RunPod key, Chirp tests it against /health at CHIRP_RUNPOD_BASE_URL.
  process.env.CHIRP_RUNPOD_BASE_URL = simulator.url;
});

afterEach(async () => {
  if (originalRunpodUrl === undefined) delete process.env.CHIRP_RUNPOD_BASE_URL;
  else process.env.CHIRP_RUNPOD_BASE_URL = originalRunpodUrl;
  await simulator.close();
  await chirp.close();
});

/** Starts the demo with an account's keys and returns its output and its exit code. */
function startDemo(
  keys: { apiKey: string; webhookKey: string },
  options: {
    jobs: DemoJob[];
    /** The demo saves a RunPod connection only when the simulator's port is given. */
    withSimulatorPort?: boolean;
    interrupt?: AbortSignal;
    chirpTimeoutMs?: number;
  },
) {
  const { withSimulatorPort = false, ...runOptions } = options;
  const output = recordOutput();
  const exitCode = runDemo({
    config: {
      chirpUrl: chirp.url,
      apiKey: keys.apiKey,
      webhookKey: keys.webhookKey,
      simulatorPort: withSimulatorPort ? Number(new URL(simulator.url).port) : 0,
    },
    simulator,
    statusPolls,
    output,
    ...runOptions,
  });
  return { output, exitCode };
}

describe("demo stopped by a rejected webhook key", () => {
  /**
   * Starts the demo with a truncated webhook key and three jobs that stay queued, plus one
   * submitted much later. Once the three cards are open, cancels one job in the simulator,
   * so its webhook reaches Chirp with the bad key and stops the demo.
   */
  async function runWithRejectedKey() {
    const { account, apiKey, webhookKey } = await createTestAccount();
    const runName = `caption-run-${randomUUID()}`;
    const queued = { queueMs: 60_000 };
    const jobs = [
      demoJob("queued-job-a", { simulate: queued }),
      demoJob("queued-job-b", { simulate: queued }),
      demoJob(runName, { simulate: queued, cardKey: runName }),
      demoJob("late-job", { submitAfterMs: 60_000 }),
    ];
    const { output, exitCode } = startDemo(
      { apiKey, webhookKey: webhookKey.slice(0, -4) },
      { jobs },
    );

    await expect.poll(async () => (await listBoard({ accountId: account.id })).length).toBe(3);
    const jobA = [...simulator.jobs.values()].find(
      (job) => job.input.prompt === "prompt of queued-job-a",
    );
    const cancel = await fetch(`${simulator.url}/v2/${ENDPOINT}/cancel/${jobA?.id}`, {
      method: "POST",
      headers: { Authorization: "Bearer demo" },
    });
    expect(cancel.status).toBe(200);

    return { account, runName, output, exitCode: await exitCode };
  }

  it("closes every card it opened", async () => {
    const { account, runName, exitCode } = await runWithRejectedKey();

    expect(exitCode).toBe(1);
    const cards = await listBoard({ accountId: account.id });
    expect(cards.map((card) => card.jobName).sort()).toEqual(
      ["queued-job-a", "queued-job-b", runName].sort(),
    );
    for (const card of cards) {
      expect(card.state).toBe("cancelled");
      expect(card.errorMessage).toBe(STOP_MESSAGE);
      expect(card.closedAt).not.toBeNull();
    }
    expect(cards.map((card) => card.key)).toContain(runName);
  });

  it("reports the rejected key and the closed cards", async () => {
    const { account, output } = await runWithRejectedKey();

    const errors = output.errors.join("\n");
    expect(errors).toContain("Chirp rejected CHIRP_WEBHOOK_KEY (401");
    expect(errors).toContain(
      "Closed the 3 cards that this run opened and that were still open, as cancelled",
    );
    for (const card of await listBoard({ accountId: account.id })) {
      expect(errors).toContain(card.key);
    }
    expect(errors).toContain("No card of this run stays open.");
  });

  it("opens no card after it stopped", async () => {
    const { output } = await runWithRejectedKey();

    expect(simulator.jobs.size).toBe(3);
    const starts = chirp.requests.filter((request) => request === "POST /v1/activity/start");
    expect(starts).toHaveLength(3);
    expect(output.logged.join("\n")).not.toContain("late-job");
  });

  it("names the cards it could not close", async () => {
    chirp.failActivityEnd = true;
    const { account, output, exitCode } = await runWithRejectedKey();

    expect(exitCode).toBe(1);
    const cards = await listBoard({ accountId: account.id });
    const errors = output.errors.join("\n");
    expect(errors).toContain("Closing failed, so 3 cards of this run stay open:");
    for (const card of cards) {
      expect(card.closedAt).toBeNull();
      expect(errors).toContain(
        `  ${card.key} (${chirp.url}/activities/${card.id}): 503 unavailable`,
      );
    }
    expect(errors).toContain(`curl -X POST ${chirp.url}/v1/activity/end`);
    expect(errors).not.toContain("No card of this run stays open.");
  });
});

describe("demo with CHIRP_SIMULATOR_PORT", () => {
  /** Saves a RunPod connection for a new account, then runs the demo with one quick job. */
  async function runOverSavedConnection(connection: { apiKey: string; endpointId: string }) {
    const keys = await createTestAccount();
    const saved = await saveConnection({ accountId: keys.account.id, ...connection });
    const { output, exitCode } = startDemo(keys, {
      jobs: [demoJob("completes-quickly")],
      withSimulatorPort: true,
    });
    return { account: keys.account, saved, output, exitCode: await exitCode };
  }

  it("keeps a RunPod connection it did not save", async () => {
    const { account, saved, output, exitCode } = await runOverSavedConnection({
      apiKey: "rpa_SAVEDBYTHEUSER0001",
      endpointId: ENDPOINT,
    });

    expect(exitCode).toBe(1);
    expect(await getConnectionSummary(account.id)).toEqual(saved);
    expect(chirp.requests).not.toContain("PUT /v1/runpod-connection");
    expect(simulator.jobs.size).toBe(0);
    const errors = output.errors.join("\n");
    expect(errors).toContain(
      `This account already has a RunPod connection: endpoint ${ENDPOINT}, API key ending in 0001, saved ${saved.savedAt.toISOString()}.`,
    );
    expect(errors).toContain("changed nothing");
    expect(errors).toContain(`${chirp.url}/settings`);
  });

  it("saves its connection again on a re-run", async () => {
    const { account, saved, output, exitCode } = await runOverSavedConnection({
      apiKey: DEMO_RUNPOD_API_KEY,
      endpointId: DEMO_CONNECTION_ENDPOINT,
    });

    expect(output.errors).toEqual([]);
    expect(exitCode).toBe(0);
    const logged = output.logged.join("\n");
    expect(logged).toContain("the one an earlier demo run saved, so the demo saves it again");
    expect(logged).toContain("Saved a RunPod connection to this simulator");
    expect(chirp.requests).toContain("PUT /v1/runpod-connection");
    const connection = await getConnectionSummary(account.id);
    expect(connection?.apiKeyLast4).toBe(saved.apiKeyLast4);
    expect(connection?.endpointId).toBe(DEMO_CONNECTION_ENDPOINT);
    const [card] = await listBoard({ accountId: account.id });
    expect(card?.state).toBe("completed");
  });
});

describe("demo ending without every card closed", () => {
  it("closes a card whose start timed out", async () => {
    const keys = await createTestAccount();
    chirp.withholdStartOf = "start-times-out";

    const { output, exitCode } = startDemo(keys, {
      jobs: [demoJob("start-times-out", { simulate: { queueMs: 60_000 } })],
      chirpTimeoutMs: 1000,
    });

    expect(await exitCode).toBe(1);
    const [card] = await listBoard({ accountId: keys.account.id });
    expect(card?.jobName).toBe("start-times-out");
    expect(card?.state).toBe("cancelled");
    expect(card?.errorMessage).toBe("Demo stopped: Chirp did not respond");
    const errors = output.errors.join("\n");
    expect(errors).toContain(
      `Could not reach Chirp: POST ${chirp.url}/v1/activity/start timed out`,
    );
    expect(errors).toContain(`Closed the card that this run opened and that was still open`);
  });

  it("closes a card whose webhook was lost", async () => {
    const keys = await createTestAccount();

    const { output, exitCode } = startDemo(keys, {
      jobs: [
        demoJob("webhook-lost", {
          simulate: { outcome: "COMPLETED", queueMs: 100, runMs: 100, dropWebhooks: 3 },
        }),
      ],
    });

    expect(await exitCode).toBe(1);
    const [card] = await listBoard({ accountId: keys.account.id });
    expect(card?.state).toBe("cancelled");
    expect(card?.errorMessage).toBe("Demo failed: not every job's card closed as planned");
    expect(output.logged.join("\n")).toContain(
      `Closed the card that this run opened and that was still open, as cancelled: ${card?.key}.`,
    );
  });

  it("closes its cards when interrupted", async () => {
    const keys = await createTestAccount();
    const interrupt = new AbortController();

    const { output, exitCode } = startDemo(keys, {
      jobs: [demoJob("queued-job", { simulate: { queueMs: 60_000 } })],
      interrupt: interrupt.signal,
    });
    await expect.poll(async () => (await listBoard({ accountId: keys.account.id })).length).toBe(1);
    interrupt.abort();

    expect(await exitCode).toBe(130);
    const [card] = await listBoard({ accountId: keys.account.id });
    expect(card?.state).toBe("cancelled");
    expect(card?.errorMessage).toBe("Demo stopped: interrupted");
    expect(output.errors.join("\n")).toContain("Interrupted.");
  });
});
