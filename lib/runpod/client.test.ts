import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseRetryAfter, RunpodClient } from "./client";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

const ENDPOINT = "abcdefgh012345";
const API_KEY = "rp_client_test_key";

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSimulator(): Promise<RunpodSimulator> {
  const simulator = await startRunpodSimulator({ apiKey: API_KEY });
  cleanups.push(() => simulator.close());
  return simulator;
}

/** Serves `listener` on a free loopback port, for responses the simulator never sends. */
async function startServer(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function submitBody(simulate: Record<string, unknown> = {}): string {
  return JSON.stringify({ input: { prompt: "hello", simulate } });
}

describe("RunpodClient", () => {
  it("run forwards the body and returns RunPod's response unchanged", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });

    const result = await client.run(ENDPOINT, submitBody({ queueMs: 10_000 }));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.status).toBe(200);
    expect(result.body.contentType).toContain("application/json");
    const body = JSON.parse(result.body.body) as { id: string; status: string };
    expect(body.status).toBe("IN_QUEUE");
    expect(simulator.jobs.get(body.id)?.input).toMatchObject({ prompt: "hello" });
  });

  it("run passes a rejected body through with RunPod's status", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });

    const result = await client.run(ENDPOINT, "{not json");

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.kind).toBe("unexpected_status");
    expect(result.response?.status).toBe(400);
    expect(result.response?.body).toContain("error");
  });

  it("runsync returns the finished status object", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });

    const result = await client.runsync(ENDPOINT, submitBody({ queueMs: 10, runMs: 10 }), {
      waitMs: 5000,
    });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(JSON.parse(result.body.body)).toMatchObject({ status: "COMPLETED" });
  });

  it("status reads the job's status object", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });
    const submitted = await client.run(ENDPOINT, submitBody({ queueMs: 10_000 }));
    if (!submitted.ok) throw new Error("submit failed");
    const { id } = JSON.parse(submitted.body.body) as { id: string };

    const result = await client.status(ENDPOINT, id);

    expect(result).toMatchObject({ ok: true, body: { id, status: "IN_QUEUE" } });
  });

  it("status of an unknown job is not_found", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });

    const result = await client.status(ENDPOINT, "no-such-job");

    expect(result).toMatchObject({ ok: false, kind: "not_found", status: 404 });
  });

  it("health returns the endpoint's queue count", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });
    await client.run(ENDPOINT, submitBody({ queueMs: 10_000 }));
    await client.run(ENDPOINT, submitBody({ queueMs: 10_000 }));

    const result = await client.health(ENDPOINT);

    expect(result).toMatchObject({ ok: true, body: { jobs: { inQueue: 2 } } });
  });

  it("a wrong API key is unauthorized", async () => {
    const simulator = await startSimulator();
    const client = new RunpodClient({ apiKey: "wrong", baseUrl: simulator.url });

    const result = await client.health(ENDPOINT);

    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
  });

  it("429 carries the Retry-After delay", async () => {
    const simulator = await startSimulator();
    simulator.rateLimit(1, 7);
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: simulator.url });

    const limited = await client.health(ENDPOINT);
    const next = await client.health(ENDPOINT);

    expect(limited).toMatchObject({ ok: false, kind: "rate_limited", retryAfterMs: 7000 });
    expect(next.ok).toBe(true);
  });

  it("5xx is a server error with RunPod's message", async () => {
    const url = await startServer((_request, response) => {
      response.writeHead(503, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ error: "maintenance" }));
    });
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: url });

    const result = await client.status(ENDPOINT, "job-1");

    expect(result).toMatchObject({
      ok: false,
      kind: "server_error",
      status: 503,
      message: "maintenance",
    });
  });

  it("a slow answer times out", async () => {
    const url = await startServer(() => {
      // Never answers.
    });
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: url, timeoutMs: 100 });

    const result = await client.status(ENDPOINT, "job-1");

    expect(result).toMatchObject({ ok: false, kind: "timeout" });
  });

  it("a closed port is a network failure", async () => {
    const url = await startServer(() => {});
    await cleanups.pop()?.();
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: url });

    const result = await client.health(ENDPOINT);

    expect(result).toMatchObject({ ok: false, kind: "network" });
    if (!result.ok) expect(result.message).toContain("ECONNREFUSED");
  });

  it("a 200 that is not a status object is an invalid response", async () => {
    const url = await startServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/html" });
      response.end("<html>maintenance</html>");
    });
    const client = new RunpodClient({ apiKey: API_KEY, baseUrl: url });

    const result = await client.status(ENDPOINT, "job-1");

    expect(result).toMatchObject({ ok: false, kind: "invalid_response", status: 200 });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-12-04T12:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 04 Dec 2026 12:00:10 GMT", now)).toBe(10_000);
  });

  it("ignores a missing or malformed header", () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });

  it("caps a very long delay at one hour", () => {
    expect(parseRetryAfter("999999")).toBe(3_600_000);
  });
});
