import { z } from "zod";

/**
 * Parsing and validation of the bodies that the RunPod simulator accepts on `/run` and
 * `/runsync`, including the `input.simulate` object that scripts the job's life.
 */

export const TERMINAL_STATUSES = ["COMPLETED", "FAILED", "TIMED_OUT", "CANCELLED"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type JobStatus = "IN_QUEUE" | "IN_PROGRESS" | TerminalStatus;

const JOB_STATUSES = ["IN_QUEUE", "IN_PROGRESS", ...TERMINAL_STATUSES] as const;

export function isTerminalStatus(status: JobStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Maximum delay that Node's setTimeout honours. Longer delays fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Maximum `queueMs` and `runMs`: one day, far below Node's timer limit. */
const MAX_STEP_MS = 86_400_000;

/** Output of a COMPLETED job when the submitter does not choose one. */
export const DEFAULT_OUTPUT = { results: [{ success: true }] };

/** The job script after defaults are applied. */
export interface Simulation {
  /** Final status when `statusSequence` is not given. */
  outcome: TerminalStatus;
  queueMs: number;
  runMs: number;
  /** Output of a COMPLETED job. `undefined` means the job completes without output. */
  output: unknown;
  /** Error string of a FAILED job. `undefined` selects a python-handler style error. */
  error: string | undefined;
  /** Number of leading webhook attempts that count as failed without being sent. */
  dropWebhooks: number;
  /** Statuses that follow the first IN_QUEUE step, each lasting `runMs` except a terminal last one. */
  statusSequence: JobStatus[] | undefined;
}

/** Simulator-wide defaults for the fields of `input.simulate`. */
export type SimulationDefaults = Omit<Simulation, "statusSequence">;

export const BUILT_IN_DEFAULTS: SimulationDefaults = {
  outcome: "COMPLETED",
  queueMs: 500,
  runMs: 1500,
  output: DEFAULT_OUTPUT,
  error: undefined,
  dropWebhooks: 0,
};

/** RunPod's per-job execution policy, in milliseconds. */
export interface JobPolicy {
  /** Maximum running time before the job ends as TIMED_OUT. */
  executionTimeout?: number;
  /** Lifetime counted from submission, after which the job is gone. */
  ttl?: number;
}

export interface RunRequest {
  input: Record<string, unknown>;
  webhook: string | undefined;
  policy: JobPolicy;
  simulation: Simulation;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

const durationSchema = z.int().min(0).max(MAX_STEP_MS);

const simulateSchema = z.strictObject({
  outcome: z.enum(TERMINAL_STATUSES).optional(),
  queueMs: durationSchema.optional(),
  runMs: durationSchema.optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  dropWebhooks: z.int().min(0).optional(),
  statusSequence: z.array(z.enum(JOB_STATUSES)).min(1).max(100).optional(),
});

type SimulateFields = z.infer<typeof simulateSchema>;

const webhookSchema = z.string().refine(isHttpUrl, {
  message: "expected an absolute http or https URL",
});

const policySchema = z.looseObject({
  executionTimeout: z.int().min(1).max(MAX_TIMER_MS).optional(),
  ttl: z.int().min(1).optional(),
});

const runBodySchema = z.looseObject({
  input: z.looseObject({ simulate: simulateSchema.optional() }),
  webhook: webhookSchema.optional(),
  policy: policySchema.optional(),
});

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join(". ");
}

/** Maps `null` and `"none"` to "no output", as RunPod sends COMPLETED without `output`. */
function resolveOutput(fields: SimulateFields, fallback: unknown): unknown {
  if (!("output" in fields)) return fallback;
  if (fields.output === null || fields.output === "none") return undefined;
  return fields.output;
}

function validateStatusSequence(
  sequence: JobStatus[],
  outcome: TerminalStatus | undefined,
): string | undefined {
  const terminalIndex = sequence.findIndex(isTerminalStatus);
  if (terminalIndex !== -1 && terminalIndex !== sequence.length - 1) {
    return `input.simulate.statusSequence has the terminal status ${sequence[terminalIndex]} at position ${terminalIndex + 1} of ${sequence.length}. Only the last entry may be terminal.`;
  }
  const last = sequence[sequence.length - 1];
  if (outcome !== undefined && last !== undefined && isTerminalStatus(last) && last !== outcome) {
    return `input.simulate.outcome is ${outcome} but statusSequence ends with ${last}. Drop one of them or make them agree.`;
  }
  return undefined;
}

/**
 * Applies `fields` over `defaults`. Returns an error message for a status sequence that
 * places a terminal status before its end or contradicts `outcome`.
 */
function resolveSimulation(
  fields: SimulateFields,
  defaults: SimulationDefaults,
): ParseResult<Simulation> {
  if (fields.statusSequence !== undefined) {
    const message = validateStatusSequence(fields.statusSequence, fields.outcome);
    if (message !== undefined) return { ok: false, message };
  }
  return {
    ok: true,
    value: {
      outcome: fields.outcome ?? defaults.outcome,
      queueMs: fields.queueMs ?? defaults.queueMs,
      runMs: fields.runMs ?? defaults.runMs,
      output: resolveOutput(fields, defaults.output),
      error: fields.error ?? defaults.error,
      dropWebhooks: fields.dropWebhooks ?? defaults.dropWebhooks,
      statusSequence: fields.statusSequence,
    },
  };
}

/**
 * Validates simulator-wide defaults and returns them merged over the built-in ones. The
 * rules are those of `input.simulate`, so a bad option fails at start-up instead of on
 * the first job.
 */
export function resolveDefaults(overrides: Partial<SimulationDefaults> = {}): SimulationDefaults {
  const { output, ...checked } = overrides;
  const parsed = simulateSchema.omit({ statusSequence: true, output: true }).safeParse(checked);
  if (!parsed.success) {
    throw new RangeError(`Invalid simulator defaults: ${formatIssues(parsed.error)}.`);
  }
  const fields: SimulateFields = "output" in overrides ? { ...parsed.data, output } : parsed.data;
  const resolved = resolveSimulation(fields, BUILT_IN_DEFAULTS);
  if (!resolved.ok) throw new RangeError(resolved.message);
  const { statusSequence: _unused, ...defaults } = resolved.value;
  return defaults;
}

/** Parses a `/run` or `/runsync` body. The error message names the field and the fix. */
export function parseRunRequest(
  rawBody: string,
  defaults: SimulationDefaults,
): ParseResult<RunRequest> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `The request body is not valid JSON (${reason}). Send a JSON object such as {"input": {"prompt": "..."}}.`,
    };
  }
  if (!isPlainObject(body)) {
    return {
      ok: false,
      message: 'The request body must be a JSON object such as {"input": {"prompt": "..."}}.',
    };
  }
  if (!isPlainObject(body.input)) {
    const found = body.input === undefined ? "missing" : describeJsonType(body.input);
    return {
      ok: false,
      message: `"input" is ${found}, but it must be a JSON object with the handler's parameters, such as {"input": {"prompt": "..."}}.`,
    };
  }

  const parsed = runBodySchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, message: `Invalid request body: ${formatIssues(parsed.error)}.` };
  }

  const simulation = resolveSimulation(parsed.data.input.simulate ?? {}, defaults);
  if (!simulation.ok) return simulation;

  const policy: JobPolicy = {};
  if (parsed.data.policy?.executionTimeout !== undefined) {
    policy.executionTimeout = parsed.data.policy.executionTimeout;
  }
  if (parsed.data.policy?.ttl !== undefined) policy.ttl = parsed.data.policy.ttl;

  return {
    ok: true,
    value: {
      // The original object, so the echo in the webhook body keeps every field as sent.
      input: body.input,
      webhook: parsed.data.webhook,
      policy,
      simulation: simulation.value,
    },
  };
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
