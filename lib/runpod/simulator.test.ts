import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  type RunpodSimulator,
  type RunpodSimulatorOptions,
  startRunpodSimulator,
} from "./simulator";

const ENDPOINT = "abcdefgh012345";
const OTHER_ENDPOINT = "zyxwvuts987654";
const AUTH = { Authorization: "Bearer test-key" };

interface ReceivedWebhook {
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  at: number;
}

/** Status code for the receiver's n-th request (0-based), or "hang" to send no response. */
type ResponsePlan = (index: number) => number | "hang";

interface Receiver {
  url: string;
  requests: ReceivedWebhook[];
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSimulator(options: RunpodSimulatorOptions = {}): Promise<RunpodSimulator> {
  const simulator = await startRunpodSimulator({ webhookRetryDelayMs: 50, ...options });
  cleanups.push(() => simulator.close());
  return simulator;
}

async function startReceiver(respond: ResponsePlan = () => 200): Promise<Receiver> {
  const requests: ReceivedWebhook[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const index = requests.length;
      requests.push({
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        headers: request.headers,
        at: Date.now(),
      });
      const status = respond(index);
      if (status === "hang") {
        hanging.push(response);
        return;
      }
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ received: index }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}/hook?key=secret-webhook-key`, requests, close };
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
}

async function request(
  simulator: RunpodSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = AUTH,
): Promise<JsonResponse> {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" || body === undefined ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function submit(
  simulator: RunpodSimulator,
  body: Record<string, unknown>,
  endpoint = ENDPOINT,
): Promise<string> {
  const response = await request(simulator, "POST", `/v2/${endpoint}/run`, body);
  expect(response.status).toBe(200);
  return String(response.body.id);
}

function getStatus(simulator: RunpodSimulator, jobId: string, endpoint = ENDPOINT) {
  return request(simulator, "GET", `/v2/${endpoint}/status/${jobId}`);
}

function jobOf(simulator: RunpodSimulator, jobId: string) {
  const job = simulator.jobs.get(jobId);
  if (job === undefined) throw new Error(`Job ${jobId} is not in the simulator`);
  return job;
}

describe("run and status", () => {
  it("returns an IN_QUEUE job id from run", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/run`, {
      input: { prompt: "a lighthouse at dusk" },
    });

    expect(response.status).toBe(200);
    expect(response.body.status).toBe("IN_QUEUE");
    expect(response.body.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-u1$/,
    );
    expect(Object.keys(response.body).sort()).toEqual(["id", "status"]);
  });

  it("walks queue, progress and completion", async () => {
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 150, runMs: 150, output: { text: "done" } } },
    });

    const seen: Array<Record<string, unknown>> = [];
    let last: Record<string, unknown> = {};
    const deadline = Date.now() + 3000;
    while (last.status !== "COMPLETED" && Date.now() < deadline) {
      last = (await getStatus(simulator, jobId)).body;
      if (seen.at(-1)?.status !== last.status) seen.push(last);
      await sleep(10);
    }

    expect(seen.map((body) => body.status)).toEqual(["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]);
    const [queued, running, completed] = seen;
    expect(queued?.workerId).toBeUndefined();
    expect(queued?.delayTime).toEqual(expect.any(Number));
    expect(running?.workerId).toMatch(/^[a-z0-9]{14}$/);
    expect(running?.executionTime).toBeUndefined();
    expect(completed?.output).toEqual({ text: "done" });
    expect(completed?.delayTime).toBeGreaterThanOrEqual(145);
    expect(completed?.executionTime).toBeGreaterThanOrEqual(145);
    expect(completed?.workerId).toBe(running?.workerId);
  });

  it("returns 404 for an unknown job", async () => {
    const simulator = await startSimulator();

    const response = await getStatus(simulator, "3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1");

    expect(response.status).toBe(404);
    expect(response.body.error).toContain("not found");
  });

  it("hides a job from another endpoint", async () => {
    const simulator = await startSimulator();
    const jobId = await submit(simulator, { input: {} });

    const response = await getStatus(simulator, jobId, OTHER_ENDPOINT);

    expect(response.status).toBe(404);
  });

  it.each([
    ["uppercase letters", "ABCDEFGH012345"],
    ["13 characters", "abcdefgh01234"],
    ["15 characters", "abcdefgh0123456"],
    ["a dash", "abcdefg-012345"],
  ])("returns 404 for an endpoint id with %s", async (_case, endpointId) => {
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${endpointId}/run`, { input: {} });

    expect(response.status).toBe(404);
    expect(response.body.error).toContain("14 lowercase letters and digits");
  });

  it("returns 404 for an unknown route", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "GET", `/v2/${ENDPOINT}/stream/some-job`);

    expect(response.status).toBe(404);
  });

  it("returns 405 for a wrong method", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "GET", `/v2/${ENDPOINT}/run`);

    expect(response.status).toBe(405);
    expect(response.body.error).toContain("Use POST");
  });

  it("applies simulator-wide defaults", async () => {
    const simulator = await startSimulator({
      defaults: { outcome: "FAILED", queueMs: 10, runMs: 10, error: "out of memory" },
    });
    const jobId = await submit(simulator, { input: { prompt: "no simulate object" } });

    await waitFor(() => jobOf(simulator, jobId).status === "FAILED");
    const response = await getStatus(simulator, jobId);

    expect(response.body.error).toBe("out of memory");
  });

  it("rejects invalid defaults at start", async () => {
    await expect(startRunpodSimulator({ defaults: { queueMs: -1 } })).rejects.toThrow(/queueMs/);
  });
});

describe("input validation", () => {
  it.each([
    ["invalid JSON", "{not json", "not valid JSON"],
    ["a non-object body", "[1, 2]", "must be a JSON object"],
    ["a missing input", {}, '"input" is missing'],
    ["an array input", { input: [] }, '"input" is an array'],
    ["a string input", { input: "prompt" }, '"input" is a string'],
    ["an unknown simulate field", { input: { simulate: { outcom: "FAILED" } } }, "outcom"],
    ["a negative queueMs", { input: { simulate: { queueMs: -5 } } }, "input.simulate.queueMs"],
    ["a fractional runMs", { input: { simulate: { runMs: 1.5 } } }, "input.simulate.runMs"],
    ["an unknown outcome", { input: { simulate: { outcome: "DONE" } } }, "input.simulate.outcome"],
    ["a non-http webhook", { input: {}, webhook: "ftp://example.test/hook" }, "webhook"],
    ["a relative webhook", { input: {}, webhook: "/v1/webhooks/runpod" }, "webhook"],
    ["a zero ttl", { input: {}, policy: { ttl: 0 } }, "policy.ttl"],
    [
      "a terminal status before the end",
      { input: { simulate: { statusSequence: ["FAILED", "IN_PROGRESS"] } } },
      "Only the last entry may be terminal",
    ],
    [
      "an outcome that contradicts the sequence",
      { input: { simulate: { outcome: "FAILED", statusSequence: ["IN_PROGRESS", "COMPLETED"] } } },
      "make them agree",
    ],
    ["an empty sequence", { input: { simulate: { statusSequence: [] } } }, "statusSequence"],
  ])("rejects %s with 400", async (_case, body, expectedMessage) => {
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/run`, body);

    expect(response.status).toBe(400);
    expect(response.body.error).toContain(expectedMessage);
    expect(simulator.jobs.size).toBe(0);
  });

  it("rejects an oversized run body with 413", async () => {
    const simulator = await startSimulator();
    const body = JSON.stringify({ input: { image: "a".repeat(10 * 1024 * 1024) } });

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/run`, body);

    expect(response.status).toBe(413);
  });
});

describe("authorization", () => {
  it("rejects a wrong API key", async () => {
    const simulator = await startSimulator({ apiKey: "rp_right" });

    const response = await request(
      simulator,
      "POST",
      `/v2/${ENDPOINT}/run`,
      { input: {} },
      {
        Authorization: "Bearer rp_wrong",
      },
    );

    expect(response.status).toBe(401);
    expect(response.body.error).toContain("Invalid API key");
    expect(simulator.jobs.size).toBe(0);
  });

  it("rejects a missing API key", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "GET", `/v2/${ENDPOINT}/health`, undefined, {});

    expect(response.status).toBe(401);
    expect(response.body.error).toContain("Missing API key");
  });

  it("rejects an empty bearer token", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "GET", `/v2/${ENDPOINT}/health`, undefined, {
      Authorization: "Bearer ",
    });

    expect(response.status).toBe(401);
  });

  it("accepts the key with or without Bearer", async () => {
    const simulator = await startSimulator({ apiKey: "rp_right" });

    const withBearer = await request(simulator, "GET", `/v2/${ENDPOINT}/health`, undefined, {
      Authorization: "Bearer rp_right",
    });
    const bare = await request(simulator, "GET", `/v2/${ENDPOINT}/health`, undefined, {
      Authorization: "rp_right",
    });

    expect(withBearer.status).toBe(200);
    expect(bare.status).toBe(200);
  });
});

describe("webhooks", () => {
  it("posts the status object with echoes", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const input = { prompt: "a lighthouse at dusk", simulate: { queueMs: 20, runMs: 30 } };
    const jobId = await submit(simulator, { input, webhook: receiver.url });

    await waitFor(() => receiver.requests.length === 1);
    const [delivery] = receiver.requests;

    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.body.id).toBe(jobId);
    expect(delivery?.body.status).toBe("COMPLETED");
    expect(delivery?.body.delayTime).toBeGreaterThanOrEqual(15);
    expect(delivery?.body.executionTime).toBeGreaterThanOrEqual(25);
    expect(delivery?.body.workerId).toMatch(/^[a-z0-9]{14}$/);
    expect(delivery?.body.output).toEqual({ results: [{ success: true }] });
    expect(delivery?.body.input).toEqual(input);
    expect(delivery?.body.webhook).toBe(receiver.url);
    expect(delivery?.body.error).toBeUndefined();
    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "delivered");
  });

  it.each([
    ["null", null],
    ['"none"', "none"],
  ])("omits output when simulate.output is %s", async (_case, output) => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10, output } },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);
    const status = await getStatus(simulator, jobId);

    expect(receiver.requests[0]?.body.status).toBe("COMPLETED");
    expect(receiver.requests[0]?.body).not.toHaveProperty("output");
    expect(status.body.status).toBe("COMPLETED");
    expect(status.body).not.toHaveProperty("output");
  });

  it("sends a JSON-encoded handler error on FAILED", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10, outcome: "FAILED" } },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);
    const body = receiver.requests[0]?.body ?? {};
    const error = JSON.parse(String(body.error)) as Record<string, unknown>;

    expect(body.status).toBe("FAILED");
    expect(body).not.toHaveProperty("output");
    expect(error.error_type).toBe("<class 'ValueError'>");
    expect(error.error_message).toEqual(expect.any(String));
    expect(error.worker_id).toBe(body.workerId);
  });

  it("sends a custom error string verbatim", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    await submit(simulator, {
      input: {
        simulate: {
          queueMs: 10,
          runMs: 10,
          outcome: "FAILED",
          error: "json is invalid; max size is 2 MB",
        },
      },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);

    expect(receiver.requests[0]?.body.error).toBe("json is invalid; max size is 2 MB");
  });

  it("retries a failed webhook twice", async () => {
    const receiver = await startReceiver(() => 500);
    const simulator = await startSimulator({ webhookRetryDelayMs: 60 });
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "failed");
    await sleep(200);
    const job = jobOf(simulator, jobId);

    expect(receiver.requests).toHaveLength(3);
    expect(job.webhookAttempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500]);
    expect(job.webhookAttempts.map((attempt) => attempt.number)).toEqual([1, 2, 3]);
    const [first, second, third] = receiver.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(55);
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(55);
    expect(third?.body).toEqual(first?.body);
  });

  it("stops retrying at the first 200", async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 503 : 200));
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "delivered");
    await sleep(150);

    expect(receiver.requests).toHaveLength(2);
    expect(jobOf(simulator, jobId).webhookAttempts.map((attempt) => attempt.statusCode)).toEqual([
      503, 200,
    ]);
  });

  it("treats a non-200 success code as failed", async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 204 : 200));
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "delivered");

    expect(receiver.requests).toHaveLength(2);
  });

  it("records the receiver's response body", async () => {
    const receiver = await startReceiver(() => 200);
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "delivered");

    expect(jobOf(simulator, jobId).webhookAttempts[0]?.responseBody).toBe('{"received":0}');
  });

  it("drops the first attempts with dropWebhooks", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10, dropWebhooks: 2 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "delivered");
    const attempts = jobOf(simulator, jobId).webhookAttempts;

    expect(receiver.requests).toHaveLength(1);
    expect(attempts.map((attempt) => attempt.dropped)).toEqual([true, true, false]);
    expect(attempts[2]?.statusCode).toBe(200);
  });

  it("loses the webhook when every attempt drops", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10, dropWebhooks: 5 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "failed");

    expect(receiver.requests).toHaveLength(0);
    expect(jobOf(simulator, jobId).webhookAttempts).toHaveLength(3);
  });

  it("counts a slow receiver as a timeout", async () => {
    const receiver = await startReceiver((index) => (index === 0 ? "hang" : 200));
    const simulator = await startSimulator({ webhookTimeoutMs: 100 });
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "delivered");
    const [first, second] = jobOf(simulator, jobId).webhookAttempts;

    expect(first?.error).toBe("timed out after 100 ms");
    expect(first?.statusCode).toBeUndefined();
    expect(second?.statusCode).toBe(200);
  });

  it("records a refused connection as an error", async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const simulator = await startSimulator({ webhookRetryDelayMs: 10 });
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });

    await waitFor(() => jobOf(simulator, jobId).webhookDelivery === "failed");
    const attempts = jobOf(simulator, jobId).webhookAttempts;

    expect(attempts).toHaveLength(3);
    expect(attempts[0]?.error).toContain("ECONNREFUSED");
  });

  it("sends no webhook without a webhook URL", async () => {
    const simulator = await startSimulator();
    const jobId = await submit(simulator, { input: { simulate: { queueMs: 10, runMs: 10 } } });

    await waitFor(() => jobOf(simulator, jobId).status === "COMPLETED");

    expect(jobOf(simulator, jobId).webhookDelivery).toBeUndefined();
    expect(jobOf(simulator, jobId).webhookAttempts).toHaveLength(0);
  });
});

describe("scripted outcomes", () => {
  it("re-queues a job with statusSequence", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: {
        simulate: {
          queueMs: 30,
          runMs: 30,
          statusSequence: ["IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS", "COMPLETED"],
        },
      },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);
    const job = jobOf(simulator, jobId);
    const body = receiver.requests[0]?.body ?? {};

    expect(job.statusHistory.map((change) => change.status)).toEqual([
      "IN_QUEUE",
      "IN_PROGRESS",
      "IN_QUEUE",
      "IN_PROGRESS",
      "COMPLETED",
    ]);
    expect(job.requeueCount).toBe(1);
    expect(body.status).toBe("COMPLETED");
    expect(body.delayTime).toBeGreaterThanOrEqual(55);
    expect(body.executionTime).toBeGreaterThanOrEqual(55);
  });

  it("ends a re-queued job as FAILED", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    await submit(simulator, {
      input: {
        simulate: {
          queueMs: 10,
          runMs: 20,
          statusSequence: ["IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS", "FAILED"],
        },
      },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);

    expect(receiver.requests[0]?.body.status).toBe("FAILED");
  });

  it("fails a job in the queue without a worker", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    await submit(simulator, {
      input: { simulate: { queueMs: 10, statusSequence: ["TIMED_OUT"] } },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);
    const body = receiver.requests[0]?.body ?? {};

    expect(body.status).toBe("TIMED_OUT");
    expect(body).not.toHaveProperty("workerId");
    expect(body).not.toHaveProperty("executionTime");
  });

  it("keeps an unfinished sequence running", async () => {
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10, statusSequence: ["IN_PROGRESS"] } },
    });

    await sleep(150);

    expect((await getStatus(simulator, jobId)).body.status).toBe("IN_PROGRESS");
  });

  it("ends a job as TIMED_OUT with outcome TIMED_OUT", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10, outcome: "TIMED_OUT" } },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);

    expect(receiver.requests[0]?.body.status).toBe("TIMED_OUT");
    expect(receiver.requests[0]?.body).not.toHaveProperty("output");
  });

  it("times out a job past policy.executionTimeout", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 5000 } },
      policy: { executionTimeout: 80 },
      webhook: receiver.url,
    });

    await waitFor(() => receiver.requests.length === 1);
    const body = receiver.requests[0]?.body ?? {};

    expect(body.status).toBe("TIMED_OUT");
    expect(body.executionTime).toBeGreaterThanOrEqual(75);
    expect(body.executionTime).toBeLessThan(1000);
    expect(jobOf(simulator, jobId).status).toBe("TIMED_OUT");
  });
});

describe("cancel", () => {
  it("cancels a running job and fires its webhook", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10_000 } },
      webhook: receiver.url,
    });
    await waitFor(() => jobOf(simulator, jobId).status === "IN_PROGRESS");

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/cancel/${jobId}`);
    await waitFor(() => receiver.requests.length === 1);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: jobId, status: "CANCELLED" });
    expect((await getStatus(simulator, jobId)).body.status).toBe("CANCELLED");
    expect(receiver.requests[0]?.body.status).toBe("CANCELLED");
    expect(receiver.requests[0]?.body).not.toHaveProperty("output");
  });

  it("cancels a queued job", async () => {
    const simulator = await startSimulator();
    const jobId = await submit(simulator, { input: { simulate: { queueMs: 10_000 } } });

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/cancel/${jobId}`);

    expect(response.body.status).toBe("CANCELLED");
    expect(jobOf(simulator, jobId).statusHistory.map((change) => change.status)).toEqual([
      "IN_QUEUE",
      "CANCELLED",
    ]);
  });

  it("skips the webhook when webhookOnCancel is off", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator({ webhookOnCancel: false });
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10_000 } },
      webhook: receiver.url,
    });

    await request(simulator, "POST", `/v2/${ENDPOINT}/cancel/${jobId}`);
    await sleep(100);

    expect(receiver.requests).toHaveLength(0);
    expect(jobOf(simulator, jobId).webhookDelivery).toBeUndefined();
  });

  it("leaves a finished job unchanged", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });
    await waitFor(() => receiver.requests.length === 1);

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/cancel/${jobId}`);
    await sleep(100);

    expect(response.body).toEqual({ id: jobId, status: "COMPLETED" });
    expect(receiver.requests).toHaveLength(1);
  });

  it("returns 404 when cancelling an unknown job", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/cancel/no-such-job`);

    expect(response.status).toBe(404);
  });
});

describe("health", () => {
  it("counts jobs per endpoint", async () => {
    const simulator = await startSimulator();
    const long = 10_000;
    await submit(simulator, { input: { simulate: { queueMs: long } } });
    await submit(simulator, { input: { simulate: { queueMs: 0, runMs: long } } });
    await submit(simulator, { input: { simulate: { queueMs: 0, runMs: 0 } } });
    await submit(simulator, { input: { simulate: { queueMs: 0, runMs: 0, outcome: "FAILED" } } });
    await submit(simulator, {
      input: { simulate: { queueMs: 0, runMs: 0, outcome: "TIMED_OUT" } },
    });
    await submit(simulator, {
      input: { simulate: { queueMs: 0, runMs: 0, outcome: "CANCELLED" } },
    });
    await submit(simulator, {
      input: {
        simulate: {
          queueMs: 0,
          runMs: 20,
          statusSequence: ["IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS"],
        },
      },
    });
    await submit(simulator, { input: { simulate: { queueMs: long } } }, OTHER_ENDPOINT);
    await waitFor(
      () =>
        [...simulator.jobs.values()].filter(
          (job) => job.requeueCount === 1 && job.status === "IN_PROGRESS",
        ).length === 1,
    );
    await waitFor(
      () =>
        [...simulator.jobs.values()].filter((job) => job.completedAt !== undefined).length === 4,
    );

    const health = await request(simulator, "GET", `/v2/${ENDPOINT}/health`);
    const other = await request(simulator, "GET", `/v2/${OTHER_ENDPOINT}/health`);

    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      jobs: { completed: 1, failed: 2, inProgress: 2, inQueue: 1, retried: 1 },
      workers: { idle: 0, initializing: 0, ready: 0, running: 2, throttled: 0, unhealthy: 0 },
    });
    expect(other.body.jobs).toEqual({
      completed: 0,
      failed: 0,
      inProgress: 0,
      inQueue: 1,
      retried: 0,
    });
  });
});

describe("expiry", () => {
  it("returns 404 after the job ttl", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 20, runMs: 300 } },
      policy: { ttl: 150 },
      webhook: receiver.url,
    });

    const before = await getStatus(simulator, jobId);
    await sleep(200);
    const after = await getStatus(simulator, jobId);
    await sleep(250);

    expect(before.status).toBe(200);
    expect(after.status).toBe(404);
    expect(jobOf(simulator, jobId).expiredAt).toBe(jobOf(simulator, jobId).submittedAt + 150);
    expect(jobOf(simulator, jobId).status).toBe("IN_PROGRESS");
    expect(receiver.requests).toHaveLength(0);
  });

  it("returns 404 after the result retention", async () => {
    const simulator = await startSimulator({ retentionMs: 100 });
    const jobId = await submit(simulator, { input: { simulate: { queueMs: 10, runMs: 10 } } });
    await waitFor(() => jobOf(simulator, jobId).status === "COMPLETED");

    const before = await getStatus(simulator, jobId);
    await sleep(150);
    const after = await getStatus(simulator, jobId);

    expect(before.status).toBe(200);
    expect(after.status).toBe(404);
  });

  it("leaves expired jobs out of health", async () => {
    const simulator = await startSimulator({ retentionMs: 50 });
    const jobId = await submit(simulator, { input: { simulate: { queueMs: 0, runMs: 0 } } });
    await waitFor(() => jobOf(simulator, jobId).status === "COMPLETED");

    await sleep(100);
    const health = await request(simulator, "GET", `/v2/${ENDPOINT}/health`);

    expect(health.body.jobs).toEqual({
      completed: 0,
      failed: 0,
      inProgress: 0,
      inQueue: 0,
      retried: 0,
    });
  });
});

describe("runsync", () => {
  it("returns the final status object", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/runsync`, {
      input: { simulate: { queueMs: 20, runMs: 20, output: { text: "hello" } } },
    });

    expect(response.status).toBe(200);
    expect(response.body.id).toMatch(/^sync-[0-9a-f-]{36}-u1$/);
    expect(response.body.status).toBe("COMPLETED");
    expect(response.body.output).toEqual({ text: "hello" });
    expect(response.body.executionTime).toBeGreaterThanOrEqual(15);
  });

  it("returns the current status after the wait", async () => {
    const simulator = await startSimulator({ runsyncWaitMs: 100 });

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/runsync`, {
      input: { simulate: { queueMs: 10, runMs: 5000 } },
    });

    expect(response.status).toBe(200);
    expect(response.body.status).toBe("IN_PROGRESS");
  });

  it("honours the wait query parameter", async () => {
    const simulator = await startSimulator({ runsyncWaitMs: 50 });

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/runsync?wait=1000`, {
      input: { simulate: { queueMs: 10, runMs: 200 } },
    });

    expect(response.body.status).toBe("COMPLETED");
  });

  it("rejects a wait outside RunPod's range", async () => {
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/runsync?wait=10`, {
      input: {},
    });

    expect(response.status).toBe(400);
    expect(response.body.error).toContain("wait=10");
  });

  it("fires the webhook for a runsync job", async () => {
    const receiver = await startReceiver();
    const simulator = await startSimulator();

    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/runsync`, {
      input: { simulate: { queueMs: 10, runMs: 10 } },
      webhook: receiver.url,
    });
    await waitFor(() => receiver.requests.length === 1);

    expect(receiver.requests[0]?.body.id).toBe(response.body.id);
  });

  it("expires a runsync job after its own retention", async () => {
    const simulator = await startSimulator({ runsyncRetentionMs: 50 });
    const response = await request(simulator, "POST", `/v2/${ENDPOINT}/runsync`, {
      input: { simulate: { queueMs: 0, runMs: 0 } },
    });

    await sleep(100);

    expect((await getStatus(simulator, String(response.body.id))).status).toBe(404);
  });
});

describe("close", () => {
  it("stops queued jobs from finishing", async () => {
    const receiver = await startReceiver();
    const simulator = await startRunpodSimulator();
    await submit(simulator, {
      input: { simulate: { queueMs: 30, runMs: 30 } },
      webhook: receiver.url,
    });

    await simulator.close();
    await sleep(150);

    expect(receiver.requests).toHaveLength(0);
  });

  it("stops pending webhook retries", async () => {
    const receiver = await startReceiver(() => 500);
    const simulator = await startRunpodSimulator({ webhookRetryDelayMs: 50 });
    const jobId = await submit(simulator, {
      input: { simulate: { queueMs: 0, runMs: 0 } },
      webhook: receiver.url,
    });
    await waitFor(() => receiver.requests.length === 1);

    await simulator.close();
    await sleep(150);

    expect(receiver.requests).toHaveLength(1);
    expect(jobOf(simulator, jobId).webhookDelivery).toBe("pending");
  });

  it("ends a waiting runsync request on close", async () => {
    const simulator = await startRunpodSimulator();
    const pending = fetch(`${simulator.url}/v2/${ENDPOINT}/runsync`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ input: { simulate: { queueMs: 10_000 } } }),
    }).then(
      (response) => response.status,
      () => "connection closed",
    );
    await waitFor(() => simulator.jobs.size === 1);

    await simulator.close();

    expect([200, "connection closed"]).toContain(await pending);
  });
});
