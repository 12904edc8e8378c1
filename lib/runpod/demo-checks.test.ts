import { afterEach, describe, expect, it } from "vitest";
import {
  apiKeyProblem,
  closedCardsReport,
  closingSummary,
  countStatusPoll,
  describeResponse,
  isDemoConnection,
  keyRejected,
  listenProblem,
  pingProblem,
  savedConnectionOf,
} from "./demo-checks";
import { DEMO_CONNECTION_ENDPOINT, DEMO_JOBS, DEMO_RUNPOD_API_KEY } from "./demo-config";
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
    expect(summary).toContain(`"${runNameJob?.cardKey}" is a second card for its job`);
    expect(summary).toContain("It stays open until it is merged with the job's card");
    expect(summary).toContain("Duplicates page");
  });

  it("claims no more than the job-id cards closed", () => {
    const summary = closingSummary(DEMO_JOBS);
    expect(summary).not.toContain("Every job's card closed");
    expect(summary).toMatch(/^Every card under a RunPod job id closed/);
  });

  it("says only that every card closed when no job uses a run name", () => {
    expect(closingSummary(DEMO_JOBS.filter((job) => job.cardKey === undefined))).toBe(
      "Every card under a RunPod job id closed, through its webhook or the watchdog.",
    );
  });
});

describe("savedConnectionOf", () => {
  it("reads Chirp's connection body", () => {
    const body = {
      connection: {
        endpointId: "abcdefgh012345",
        apiKeyLast4: "0001",
        savedAt: "2026-01-02T03:04:05.000Z",
        failingSince: null,
        failureMessage: null,
      },
    };
    expect(savedConnectionOf(body)).toEqual({
      endpointId: "abcdefgh012345",
      apiKeyLast4: "0001",
      savedAt: "2026-01-02T03:04:05.000Z",
    });
  });

  it("returns undefined for another body", () => {
    expect(savedConnectionOf({ connection: { endpointId: "abcdefgh012345" } })).toBeUndefined();
    expect(savedConnectionOf(undefined)).toBeUndefined();
    expect(savedConnectionOf(null)).toBeUndefined();
  });
});

describe("isDemoConnection", () => {
  const savedAt = "2026-01-02T03:04:05.000Z";

  it("recognizes the connection the demo saves", () => {
    const connection = {
      endpointId: DEMO_CONNECTION_ENDPOINT,
      apiKeyLast4: DEMO_RUNPOD_API_KEY.slice(-4),
      savedAt,
    };
    expect(isDemoConnection(connection)).toBe(true);
  });

  it("rejects another key on the demo's endpoint", () => {
    const connection = { endpointId: DEMO_CONNECTION_ENDPOINT, apiKeyLast4: "0001", savedAt };
    expect(isDemoConnection(connection)).toBe(false);
  });

  it("rejects the demo's key ending on another endpoint", () => {
    const connection = {
      endpointId: "abcdefgh012345",
      apiKeyLast4: DEMO_RUNPOD_API_KEY.slice(-4),
      savedAt,
    };
    expect(isDemoConnection(connection)).toBe(false);
  });
});

describe("closedCardsReport", () => {
  it("lists the closed cards and each card that stays open", () => {
    const report = closedCardsReport(
      CHIRP_URL,
      ["job-1"],
      [
        { key: "job-2", activityId: "act_2", problem: "503 unavailable: Chirp is restarting." },
        { key: "run-3", activityId: undefined, problem: "POST failed (ECONNREFUSED)." },
      ],
    );
    const lines = report.split("\n");
    expect(lines[0]).toBe(
      "Closed 1 of the 3 cards that this run opened and that were still open, as cancelled: job-1.",
    );
    expect(lines[1]).toBe("Closing failed, so 2 cards of this run stay open:");
    expect(lines[2]).toBe(
      `  job-2 (${CHIRP_URL}/activities/act_2): 503 unavailable: Chirp is restarting.`,
    );
    expect(lines[3]).toBe("  run-3: POST failed (ECONNREFUSED).");
    expect(report).toContain(`curl -X POST ${CHIRP_URL}/v1/activity/end`);
    expect(report).toContain('"status": "CANCELLED"');
    expect(report).not.toContain("No card of this run stays open");
  });

  it("says no card stays open when every card closed", () => {
    expect(closedCardsReport(CHIRP_URL, ["job-1", "job-2"], [])).toBe(
      "Closed the 2 cards that this run opened and that were still open, as cancelled: job-1, job-2. No card of this run stays open.",
    );
  });

  it("names a single card that stays open", () => {
    const report = closedCardsReport(
      CHIRP_URL,
      [],
      [{ key: "job-1", activityId: "act_1", problem: "timed out" }],
    );
    expect(report.split("\n")[0]).toBe("Closing failed, so 1 card of this run stays open:");
  });
});
