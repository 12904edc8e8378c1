import { z } from "zod";
import type { ActivityState } from "@/lib/db/schema";
import { attachToOtherSourceCard } from "@/lib/duplicates/attach";
import { getDuplicateSettings } from "@/lib/duplicates/settings";
import { ApiError, type FieldProblem } from "@/lib/http/errors";
import { ENDPOINT_ID_PATTERN, isTerminal, stateForStatus } from "@/lib/runpod/status";
import { CONTROL_CHARACTER, MAX_JOB_ID_LENGTH } from "@/lib/runpod/webhook";
import { type ActivityChange, changeActivity, RUNPOD_SCHEMA } from "./store";
import { type ActivityView, toActivityView } from "./view";

/** Request bodies of `POST /v1/activity/{start,update,end}`. */

// Postgres text cannot store U+0000, so a NUL is rejected here instead of failing the insert.
const storableText = () =>
  z.string().refine((value) => !value.includes("\u0000"), "must not contain U+0000 (NUL)");

const jobKey = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? "required: the RunPod job id returned by /run"
        : "must be a string: the RunPod job id returned by /run",
  })
  .min(1, "must not be empty")
  .max(MAX_JOB_ID_LENGTH, `at most ${MAX_JOB_ID_LENGTH} characters`)
  .refine(
    (value) => !CONTROL_CHARACTER.test(value),
    "must not contain control characters; send the job id as RunPod returned it",
  );
// Long names are stored whole. The card cuts them to fit, and the phone payload cuts them
// so its content state stays under ActivityKit's 4 KB.
export const MAX_JOB_NAME_LENGTH = 4096;
export const jobName = storableText()
  .trim()
  .min(1, "must not be empty")
  .max(MAX_JOB_NAME_LENGTH, `at most ${MAX_JOB_NAME_LENGTH} characters`);
const endpoint = z.string().regex(ENDPOINT_ID_PATTERN, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a RunPod endpoint id: 14 lowercase letters and digits, as in the endpoint's URL`,
});

// The column is a Postgres integer, so a larger position would fail the insert.
const MAX_QUEUE_POSITION = 2_147_483_647;

const identityFields = { key: jobKey, jobName: jobName.optional(), endpoint: endpoint.optional() };

/** RunPod's longest execution timeout is 7 days, per its serverless docs on job policies. */
const MAX_EXECUTION_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

// The job's RunPod `policy`, as sent to /run. Only executionTimeout matters to Chirp: it
// replaces the watchdog's default deadline. Other policy fields are accepted and ignored.
export const policy = z.looseObject({
  executionTimeout: z
    .number({ error: "must be a whole number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(1, "must be 1 or more milliseconds")
    .max(MAX_EXECUTION_TIMEOUT_MS, `at most ${MAX_EXECUTION_TIMEOUT_MS} ms (7 days)`)
    .optional(),
});

export const terminalStatus = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(
    z.enum(["COMPLETED", "FAILED", "TIMED_OUT", "CANCELLED"], {
      error: "must be one of COMPLETED, FAILED, TIMED_OUT, CANCELLED",
    }),
  );

/** The fields that close a card, shared by `POST /v1/activity/end` and the dashboard. */
export const endFields = {
  status: terminalStatus.optional(),
  error: storableText().max(2000, "at most 2000 characters").optional(),
};

const dataSchemas = {
  start: z.strictObject({ ...identityFields, policy: policy.optional() }),
  update: z
    .strictObject({
      ...identityFields,
      queuePosition: z
        .number()
        .int("must be a whole number")
        .min(0, "must be 0 or more")
        .max(MAX_QUEUE_POSITION, `at most ${MAX_QUEUE_POSITION}`)
        .nullable()
        .optional(),
      gpuType: storableText()
        .trim()
        .min(1, "must not be empty")
        .max(100, "at most 100 characters")
        .optional(),
      progress: storableText().max(200, "at most 200 characters").nullable().optional(),
    })
    .refine(
      (data) =>
        data.queuePosition !== undefined ||
        data.gpuType !== undefined ||
        data.progress !== undefined,
      { message: "set at least one of queuePosition, gpuType, progress", path: ["queuePosition"] },
    ),
  end: z.strictObject({ ...identityFields, ...endFields }),
};

export type ActivityAction = keyof typeof dataSchemas;

export function isActivityAction(value: string): value is ActivityAction {
  return Object.hasOwn(dataSchemas, value);
}

/**
 * Turns a validation error into one problem per field. `knownFields`, the fields the object
 * accepts, lets an unknown field name the one it was likely meant to be (`job_name` for
 * `jobName`), or list them all.
 */
export function fieldProblems(
  error: z.ZodError,
  prefix: string,
  knownFields: readonly string[] = [],
): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: `${path}.${key}`.replace(/^\./, ""),
        message: unknownFieldMessage(key, knownFields),
      }));
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [
        { field: path, message: issue.message.startsWith("required") ? issue.message : "required" },
      ];
    }
    if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
      return [
        { field: path, message: `must be a ${issue.expected}, not ${describeType(issue.input)}` },
      ];
    }
    return [{ field: path, message: issue.message }];
  });
}

/** Spells a field name without case, underscores or hyphens, to match `job_name` to `jobName`. */
function looseName(name: string): string {
  return name.toLowerCase().replaceAll(/[_-]/g, "");
}

function unknownFieldMessage(key: string, knownFields: readonly string[]): string {
  if (knownFields.length === 0) return "unknown field";
  const meant = knownFields.find((field) => looseName(field) === looseName(key));
  if (meant) return `unknown field; did you mean ${meant}?`;
  return `unknown field; the fields here are ${knownFields.join(", ")}`;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

export function invalid(fields: FieldProblem[]): ApiError {
  const list = fields.map((f) => `${f.field}: ${f.message}`).join("; ");
  return new ApiError(
    "invalid_fields",
    `Invalid fields: ${list}${/[.?]$/.test(list) ? "" : "."}`,
    fields,
  );
}

/** Validates a request body, or throws a 422 that names every invalid field. */
export function parseActivityRequest<A extends ActivityAction>(
  action: A,
  body: Record<string, unknown>,
): z.infer<(typeof dataSchemas)[A]> {
  const problems: FieldProblem[] = [];
  if (body.schema_id !== RUNPOD_SCHEMA) {
    problems.push({
      field: "schema_id",
      message:
        body.schema_id === undefined
          ? `required: use "${RUNPOD_SCHEMA}"`
          : `unsupported schema; use "${RUNPOD_SCHEMA}"`,
    });
  }
  const unknown = Object.keys(body).filter((key) => key !== "schema_id" && key !== "data");
  for (const key of unknown)
    problems.push({ field: key, message: "unknown field; put activity fields inside data" });
  if (body.data === null || typeof body.data !== "object" || Array.isArray(body.data)) {
    problems.push({ field: "data", message: "required: an object with the activity fields" });
    throw invalid(problems);
  }
  // Zod 4 leaves the input out of issues unless reportInput is set, and fieldProblems needs
  // it to tell a missing field from one of the wrong type.
  const parsed = dataSchemas[action].safeParse(body.data, { reportInput: true });
  if (!parsed.success) {
    problems.push(...fieldProblems(parsed.error, "data", Object.keys(dataSchemas[action].shape)));
  }
  if (problems.length > 0 || !parsed.success) throw invalid(problems);
  return parsed.data as z.infer<(typeof dataSchemas)[A]>;
}

/** Turns a validated request into the change it makes to the card. */
function changeFor(
  action: ActivityAction,
  accountId: string,
  body: Record<string, unknown>,
): ActivityChange {
  const base = {
    accountId,
    source: "api" as const,
    detail: { request: body.data as Record<string, unknown> },
  };
  if (action === "start") {
    const data = parseActivityRequest("start", body);
    return {
      ...base,
      key: data.key,
      type: "start",
      state: null,
      identity: {
        jobName: data.jobName,
        endpoint: data.endpoint,
        executionTimeoutMs: data.policy?.executionTimeout,
      },
      createIfMissing: true,
    };
  }
  if (action === "update") {
    const data = parseActivityRequest("update", body);
    // A GPU type means a worker took the job; a queue position means it waits for one.
    const state: ActivityState | null =
      data.gpuType !== undefined
        ? "running"
        : typeof data.queuePosition === "number"
          ? "queued"
          : null;
    return {
      ...base,
      key: data.key,
      type: "update",
      state,
      identity: { jobName: data.jobName, endpoint: data.endpoint },
      fields: {
        ...(data.queuePosition !== undefined ? { queuePosition: data.queuePosition } : {}),
        ...(data.gpuType !== undefined ? { gpuType: data.gpuType } : {}),
        ...(data.progress !== undefined ? { progress: data.progress } : {}),
      },
      createIfMissing: false,
    };
  }
  const data = parseActivityRequest("end", body);
  return endChange({
    ...base,
    key: data.key,
    status: data.status,
    error: data.error,
    identity: { jobName: data.jobName, endpoint: data.endpoint },
  });
}

/**
 * Builds the change that closes a card by hand in the given terminal status, COMPLETED
 * when none is given. The error message is kept only on an unsuccessful outcome.
 */
export function endChange({
  status = "COMPLETED",
  error,
  ...change
}: Pick<ActivityChange, "accountId" | "schemaId" | "key" | "source" | "identity" | "detail"> & {
  status?: z.infer<typeof terminalStatus>;
  error?: string;
}): ActivityChange {
  const state = stateForStatus(status)!;
  return {
    ...change,
    type: "end",
    state,
    runpodStatus: status,
    fields:
      error !== undefined && isTerminal(state) && state !== "completed"
        ? { errorMessage: error }
        : {},
    createIfMissing: true,
  };
}

export interface ActivityResponse {
  status: number;
  activity: ActivityView;
  changed: boolean;
  /** Set when a start attached to the card the RunPod submit proxy opened for the job. */
  attachedTo?: { id: string; key: string };
}

/**
 * Applies one activity request. When the account lets only the inspector open cards, a
 * start for a new key first tries to attach to the inspector's card for the job.
 */
export async function handleActivityRequest(
  action: ActivityAction,
  accountId: string,
  body: Record<string, unknown>,
): Promise<ActivityResponse> {
  const change = changeFor(action, accountId, body);
  if (action === "start" && (await getDuplicateSettings(accountId)).cardOpener === "inspector") {
    const attached = await attachToOtherSourceCard(change, "inspector");
    if (attached) {
      return {
        status: 200,
        activity: toActivityView(attached.result.activity),
        changed: attached.result.transitioned,
        attachedTo: { id: attached.attachedTo.id, key: attached.attachedTo.key },
      };
    }
  }
  const result = await changeActivity(change);
  return {
    status: result.created ? 201 : 200,
    activity: toActivityView(result.activity),
    changed: result.transitioned,
  };
}
