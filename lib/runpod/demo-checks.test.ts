import { afterEach, describe, expect, it } from "vitest";
import {
  apiKeyProblem,
  closingSummary,
  countStatusPoll,
  describeResponse,
  keyRejected,
  listenProblem,
  pingProblem,
} from "./demo-checks";
import { DEMO_JOBS } from "./demo-config";
import { type RunpodSimulator, startRunpodSimulator } from "./simulator";

const CHIRP_URL = "http://127.0.0.1:3000";
const INVALID_KEY_BODY = JSON.stringify({
  error: { code: "invalid_key", message: "The API key is not a valid Chirp key." },
});

const simulators: RunpodSimulator[] = [];

afterEach(async () => {
  for (const simulator of simulators.splice(0)) await simulator.close();
});

describe("describeResponse", () => {
  it("quotes Chirp's error code and message", () => {
    expect(describeResponse(401, INVALID_KEY_BODY)).toBe(
      "401 invalid_key: The API key is not a valid Chirp key.",
    );
  });

  it("shows the start of a body that is not Chirp's", () => {
    const description = describeResponse(404, `{"error":"Job not found"}${"x".repeat(500)}`);
    expect(description).toMatch(/^404 with the body \{"error":"Job not found"\}x+…$/);
    expect(description.length).toBeLessThan(200);
    expect(description).not.toContain("undefined");
  });

  it("names an empty body", () => {
    expect(describeResponse(502, "")).toBe("502 with an empty body");
  });
});

describe("pingProblem", () => {
  it("accepts Chirp's ping", () => {
    expect(pingProblem(CHIRP_URL, 200, '{"ok":true}')).toBeUndefined();
  });

  it("names CHIRP_BASE_URL when another server answers", () => {
    const problem = pingProblem(CHIRP_URL, 404, '{"error":"No route for /v1/ping."}');
    expect(problem).toContain(`CHIRP_BASE_URL=${CHIRP_URL} does not point at Chirp`);
    expect(problem).toContain('GET /v1/ping returned 404 with the body {"error":"No route');
    expect(problem).not.toContain("undefined");
  });

  it("rejects a 200 that is not Chirp's ping", () => {
    expect(pingProblem(CHIRP_URL, 200, "<html>hello</html>")).toContain("does not point at Chirp");
  });
});

describe("apiKeyProblem", () => {
  it("accepts an account without a RunPod connection", () => {
    const notFound = JSON.stringify({ error: { code: "not_found", message: "No connection." } });
    expect(apiKeyProblem(CHIRP_URL, 404, notFound)).toBeUndefined();
  });

  it("accepts an account with a RunPod connection", () => {
    expect(apiKeyProblem(CHIRP_URL, 200, '{"connection":{}}')).toBeUndefined();
  });

  it("names CHIRP_API_KEY and quotes Chirp on 401", () => {
    const problem = apiKeyProblem(CHIRP_URL, 401, INVALID_KEY_BODY);
    expect(problem).toContain("Chirp rejected CHIRP_API_KEY");
    expect(problem).toContain("The API key is not a valid Chirp key.");
    expect(problem).toContain(`Copy the API key again from ${CHIRP_URL}/keys`);
  });

  it("names CHIRP_BASE_URL on a 404 without Chirp's error body", () => {
    expect(apiKeyProblem(CHIRP_URL, 404, "Not found")).toContain(
      "GET /v1/runpod-connection returned 404 with the body Not found",
    );
  });
});

describe("keyRejected", () => {
  it("names the webhook key variable", () => {
    const message = keyRejected("CHIRP_WEBHOOK_KEY", CHIRP_URL, {
      code: "invalid_key",
      message: "The webhook key is not a valid Chirp key.",
    });
    expect(message).toContain("Chirp rejected CHIRP_WEBHOOK_KEY (401 invalid_key:");
    expect(message).toContain("Copy the webhook key again");
  });
});

describe("listenProblem", () => {
  it("names CHIRP_SIMULATOR_PORT when the port is in use", async () => {
    const first = await startRunpodSimulator({ host: "127.0.0.1", port: 0 });
    simulators.push(first);
    const port = Number(new URL(first.url).port);

    const error = await startRunpodSimulator({ host: "127.0.0.1", port }).then(
      (second) => {
        simulators.push(second);
        return undefined;
      },
      (reason: unknown) => reason,
    );

    expect(listenProblem(error, port)).toBe(
      `CHIRP_SIMULATOR_PORT=${port} is already in use on 127.0.0.1. Choose a free port, and point Chirp's CHIRP_RUNPOD_BASE_URL at the same port.`,
    );
  });

  it("leaves other errors alone", () => {
    expect(listenProblem(new Error("boom"), 3000)).toBeUndefined();
  });
});

describe("countStatusPoll", () => {
  it("counts the simulator's answered status requests per job", async () => {
    const statusPolls = new Map<string, number>();
    const simulator = await startRunpodSimulator({
      onLog: (line) => countStatusPoll(statusPolls, line),
    });
    simulators.push(simulator);
    const endpoint = `${simulator.url}/v2/abcdefgh012345`;
    const auth = { Authorization: "Bearer test-key", "Content-Type": "application/json" };

    const submitted = await fetch(`${endpoint}/run`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ input: { simulate: { queueMs: 60_000 } } }),
    });
    const { id } = (await submitted.json()) as { id: string };
    await fetch(`${endpoint}/status/${id}`, { headers: auth });
    await fetch(`${endpoint}/status/${id}`, { method: "POST", headers: auth });
    await fetch(`${endpoint}/status/unknown-job`, { headers: auth });
    await fetch(`${endpoint}/health`, { headers: auth });

    // The log line is written when the response finishes, just after fetch resolves.
    await expect.poll(() => statusPolls.get(id)).toBe(2);
    expect(statusPolls.has("unknown-job")).toBe(false);
  });
});

describe("closingSummary", () => {
  it("says the run-name card stays open for the Duplicates page", () => {
    const runNameJob = DEMO_JOBS.find((job) => job.cardKey !== undefined);
    const summary = closingSummary(DEMO_JOBS);
    expect(summary).toContain(`"${runNameJob?.cardKey}" stays open`);
    expect(summary).toContain("Duplicates page");
  });

  it("says only that every card closed when no job uses a run name", () => {
    expect(closingSummary(DEMO_JOBS.filter((job) => job.cardKey === undefined))).toBe(
      "Every job's card closed: through its webhook, or through the watchdog.",
    );
  });
});
