import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/http/errors";
import { type ActivityAction, isActivityAction, parseActivityRequest } from "./api";

const JOB_ID = "3f2a9c4e-8b1d-4e7a-9c55-0d6e2b7f1a93-u1";

/** Runs the validation and returns the problems it reports, or fails when it accepts. */
function problemsFor(action: ActivityAction, body: Record<string, unknown>) {
  try {
    parseActivityRequest(action, body);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.code).toBe("invalid_fields");
    expect(apiError.status).toBe(422);
    return { fields: apiError.fields ?? [], message: apiError.message };
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

function runpod(data: unknown) {
  return { schema_id: "@runpod", data };
}

describe("activity request validation", () => {
  it("accepts a full start request", () => {
    const data = parseActivityRequest(
      "start",
      runpod({ key: JOB_ID, jobName: " sdxl-batch ", endpoint: "isxbq1e254mbjz" }),
    );

    expect(data).toEqual({ key: JOB_ID, jobName: "sdxl-batch", endpoint: "isxbq1e254mbjz" });
  });

  it("accepts end with a lower-case status", () => {
    const data = parseActivityRequest("end", runpod({ key: JOB_ID, status: "timed_out" }));

    expect(data.status).toBe("TIMED_OUT");
  });

  it("accepts update with a null queue position", () => {
    const data = parseActivityRequest("update", runpod({ key: JOB_ID, queuePosition: null }));

    expect(data.queuePosition).toBeNull();
  });

  it("names every invalid field at once", () => {
    const { fields, message } = problemsFor(
      "update",
      runpod({ endpoint: "ISXBQ1E254MBJZ", queuePosition: -1, jobname: "typo" }),
    );

    expect(fields).toEqual(
      expect.arrayContaining([
        { field: "data.key", message: "required: the RunPod job id returned by /run" },
        {
          field: "data.endpoint",
          message:
            '"ISXBQ1E254MBJZ" is not a RunPod endpoint id: 14 lowercase letters and digits, as in the endpoint\'s URL',
        },
        { field: "data.queuePosition", message: "must be 0 or more" },
        { field: "data.jobname", message: "unknown field; did you mean jobName?" },
      ]),
    );
    expect(fields).toHaveLength(4);
    expect(message).toMatch(/^Invalid fields: /);
    expect(message).toContain("data.jobname: unknown field; did you mean jobName?");
  });

  it.each<[string, ActivityAction, Record<string, unknown>, { field: string; message: string }]>([
    [
      "missing schema_id",
      "start",
      { data: { key: JOB_ID } },
      { field: "schema_id", message: 'required: use "@runpod"' },
    ],
    [
      "another schema_id",
      "start",
      { schema_id: "runpod", data: { key: JOB_ID } },
      { field: "schema_id", message: 'unsupported schema; use "@runpod"' },
    ],
    [
      "a field outside data",
      "start",
      { schema_id: "@runpod", key: JOB_ID, data: { key: JOB_ID } },
      { field: "key", message: "unknown field; put activity fields inside data" },
    ],
    [
      "missing data",
      "start",
      { schema_id: "@runpod" },
      { field: "data", message: "required: an object with the activity fields" },
    ],
    [
      "data an array",
      "start",
      { schema_id: "@runpod", data: [JOB_ID] },
      { field: "data", message: "required: an object with the activity fields" },
    ],
    [
      "an empty key",
      "start",
      runpod({ key: "" }),
      { field: "data.key", message: "must not be empty" },
    ],
    [
      "a key of 257 characters",
      "start",
      runpod({ key: "k".repeat(257) }),
      { field: "data.key", message: "at most 256 characters" },
    ],
    [
      "a numeric key",
      "start",
      runpod({ key: 42 }),
      { field: "data.key", message: "must be a string: the RunPod job id returned by /run" },
    ],
    [
      "a blank job name",
      "start",
      runpod({ key: JOB_ID, jobName: "   " }),
      { field: "data.jobName", message: "must not be empty" },
    ],
    [
      "a fractional queue position",
      "update",
      runpod({ key: JOB_ID, queuePosition: 1.5 }),
      { field: "data.queuePosition", message: "must be a whole number" },
    ],
    [
      "an update without fields",
      "update",
      runpod({ key: JOB_ID }),
      {
        field: "data.queuePosition",
        message: "set at least one of queuePosition, gpuType, progress",
      },
    ],
    [
      "an unknown end status",
      "end",
      runpod({ key: JOB_ID, status: "DONE" }),
      { field: "data.status", message: "must be one of COMPLETED, FAILED, TIMED_OUT, CANCELLED" },
    ],
    [
      "an end error over 2000 characters",
      "end",
      runpod({ key: JOB_ID, status: "FAILED", error: "e".repeat(2001) }),
      { field: "data.error", message: "at most 2000 characters" },
    ],
    [
      "a control character in the key",
      "start",
      runpod({ key: `${JOB_ID}\n` }),
      {
        field: "data.key",
        message: "must not contain control characters; send the job id as RunPod returned it",
      },
    ],
    [
      "a NUL in the job name",
      "start",
      runpod({ key: JOB_ID, jobName: "sdxl\u0000batch" }),
      { field: "data.jobName", message: "must not contain U+0000 (NUL)" },
    ],
    [
      "a NUL in the end error",
      "end",
      runpod({ key: JOB_ID, status: "FAILED", error: "bad\u0000input" }),
      { field: "data.error", message: "must not contain U+0000 (NUL)" },
    ],
    [
      "gpuType on start",
      "start",
      runpod({ key: JOB_ID, gpuType: "RTX 4090" }),
      {
        field: "data.gpuType",
        message: "unknown field; the fields here are key, jobName, endpoint, policy",
      },
    ],
  ])("rejects %s", (_label, action, body, problem) => {
    const { fields } = problemsFor(action, body);

    expect(fields).toEqual([problem]);
  });

  it("rejects a queue position sent as text", () => {
    const { fields } = problemsFor("update", runpod({ key: JOB_ID, queuePosition: "3" }));

    expect(fields).toHaveLength(1);
    expect(fields[0]?.field).toBe("data.queuePosition");
    expect(fields[0]?.message).toBe("must be a number, not a string");
  });

  it("suggests jobName for job_name", () => {
    const { fields, message } = problemsFor("start", runpod({ key: JOB_ID, job_name: "render" }));

    expect(fields).toEqual([
      { field: "data.job_name", message: "unknown field; did you mean jobName?" },
    ]);
    expect(message).toBe("Invalid fields: data.job_name: unknown field; did you mean jobName?");
  });

  it("names the unit of executionTimeout", () => {
    const { fields } = problemsFor(
      "start",
      runpod({ key: JOB_ID, policy: { executionTimeout: "10m" } }),
    );

    expect(fields).toEqual([
      {
        field: "data.policy.executionTimeout",
        message: "must be a whole number of milliseconds",
      },
    ]);
  });

  it("knows the three actions", () => {
    expect(["start", "update", "end"].every(isActivityAction)).toBe(true);
    expect(isActivityAction("close")).toBe(false);
    expect(isActivityAction("toString")).toBe(false);
  });
});
