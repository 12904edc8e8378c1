import { describe, expect, it } from "vitest";
import { activityStates } from "@/lib/db/schema";
import {
  consoleUrl,
  endpointIdFromInput,
  isTerminal,
  nextState,
  readErrorMessage,
  readOutcome,
  stateForStatus,
  statusWord,
} from "./status";

describe("RunPod status mapping", () => {
  it.each([
    ["IN_QUEUE", "queued"],
    ["IN_PROGRESS", "running"],
    ["RUNNING", "running"],
    ["COMPLETED", "completed"],
    ["FAILED", "failed"],
    ["TIMED_OUT", "timed_out"],
    ["CANCELLED", "cancelled"],
  ])("%s maps to %s", (status, state) => {
    expect(stateForStatus(status)).toBe(state);
  });

  it.each([
    ["completed", "completed"],
    ["In_Progress", "running"],
  ])("%s maps to %s ignoring case", (status, state) => {
    expect(stateForStatus(status)).toBe(state);
  });

  it.each(["WEIRD", "CANCELED", "", "toString", "__proto__", "constructor"])(
    "%j is unknown",
    (status) => {
      expect(stateForStatus(status)).toBeNull();
    },
  );

  it("terminal states are the outcomes, expired and merged", () => {
    const terminal = activityStates.filter(isTerminal);

    expect(terminal).toEqual([
      "completed",
      "failed",
      "timed_out",
      "cancelled",
      "expired",
      "merged",
    ]);
  });

  it("status word is the header's upper-case state", () => {
    expect(statusWord("queued")).toBe("QUEUED");
    expect(statusWord("running")).toBe("RUNNING");
    expect(statusWord("timed_out")).toBe("TIMED_OUT");
  });
});

describe("nextState", () => {
  it.each([
    ["queued", "running", "running"],
    ["running", "queued", "queued"],
    ["queued", "completed", "completed"],
    ["running", "failed", "failed"],
    ["queued", null, "queued"],
    ["running", null, "running"],
  ] as const)("%s + %s = %s", (current, incoming, expected) => {
    expect(nextState(current, incoming)).toBe(expected);
  });

  it("a terminal state is final", () => {
    const terminal = activityStates.filter(isTerminal);

    for (const current of terminal) {
      for (const incoming of [...activityStates, null]) {
        expect(nextState(current, incoming)).toBe(current);
      }
    }
  });
});

describe("readErrorMessage", () => {
  it("takes error_message from a runpod-python JSON string", () => {
    const error =
      '{"error_type": "<class \'ValueError\'>", "error_message": "bad input", "error_traceback": "Traceback (most recent call last): ...", "hostname": "k7m2q9x4v1b8n3-64410", "worker_id": "k7m2q9x4v1b8n3", "runpod_version": "1.7.0"}';

    expect(readErrorMessage(error)).toBe("bad input");
  });

  it("keeps a plain string", () => {
    expect(readErrorMessage("json is invalid; max size is 2 MB")).toBe(
      "json is invalid; max size is 2 MB",
    );
  });

  it("keeps a string that only starts with a brace", () => {
    expect(readErrorMessage("{bad template} in prompt")).toBe("{bad template} in prompt");
  });

  it("keeps a JSON string without error_message whole", () => {
    const error = '{"error_type": "OOM"}';

    expect(readErrorMessage(error)).toBe(error);
  });

  it("takes error_message from an object", () => {
    expect(readErrorMessage({ error_type: "ValueError", error_message: "bad input" })).toBe(
      "bad input",
    );
  });

  it("prints any other object as JSON", () => {
    expect(readErrorMessage({ code: 137 })).toBe('{"code":137}');
    expect(readErrorMessage(["oom"])).toBe('["oom"]');
  });

  it.each([undefined, null, ""])("%j means no error", (error) => {
    expect(readErrorMessage(error)).toBeNull();
  });

  it("shortens a long message to 2000 characters", () => {
    const message = readErrorMessage("x".repeat(5000));

    expect(message).toHaveLength(2000);
    expect(message?.endsWith("…")).toBe(true);
  });

  it("removes a webhook key quoted in the error", () => {
    const url =
      "https://chirp.example.test/v1/webhooks/runpod?key=chirp_wh_3f9a_k7m2q9x4v1b8n3pq_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345_0123456789abcdef0123456789abcdef";

    const message = readErrorMessage(`callback to ${url} failed`);

    expect(message).not.toContain("chirp_wh_");
    expect(message).toContain("callback to https://chirp.example.test/v1/webhooks/runpod?key=");
  });

  it("replaces NUL characters, which Postgres cannot store", () => {
    expect(readErrorMessage("a\u0000b")).toBe("a\uFFFDb");
  });
});

describe("readOutcome", () => {
  it("reads the fields a card shows", () => {
    const outcome = readOutcome({
      id: "9b0c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4-e2",
      status: "COMPLETED",
      delayTime: 100.4,
      executionTime: 1571,
      workerId: "p1awbdsmhschpq",
    });

    expect(outcome).toEqual({
      delayMs: 100,
      executionMs: 1571,
      workerId: "p1awbdsmhschpq",
      errorMessage: null,
      hasOutput: false,
    });
  });

  it.each([
    ["an object", { results: [] }, true],
    ["a string", "step 12/50", true],
    ["zero", 0, true],
    ["null", null, false],
  ])("output %s counts as output: %s", (_label, output, expected) => {
    expect(readOutcome({ output }).hasOutput).toBe(expected);
  });

  it("ignores times that are not milliseconds", () => {
    const outcome = readOutcome({ delayTime: "100", executionTime: -5 });

    expect(outcome.delayMs).toBeNull();
    expect(outcome.executionMs).toBeNull();
  });
});

describe("consoleUrl", () => {
  it("links the endpoint's console page", () => {
    expect(consoleUrl("isxbq1e254mbjz")).toBe(
      "https://console.runpod.io/serverless/user/endpoint/isxbq1e254mbjz",
    );
  });
});

describe("endpointIdFromInput", () => {
  it.each([
    ["isxbq1e254mbjz", "isxbq1e254mbjz"],
    [" isxbq1e254mbjz\n", "isxbq1e254mbjz"],
    ["https://console.runpod.io/serverless/user/endpoint/isxbq1e254mbjz", "isxbq1e254mbjz"],
    ["https://api.runpod.ai/v2/isxbq1e254mbjz/run", "isxbq1e254mbjz"],
    ["https://example.com/v2/isxbq1e254mbjz/run", "https://example.com/v2/isxbq1e254mbjz/run"],
    ["My-Endpoint", "My-Endpoint"],
  ])("reads %j as %j", (input, expected) => {
    expect(endpointIdFromInput(input)).toBe(expected);
  });
});
