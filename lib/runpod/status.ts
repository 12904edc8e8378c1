import type { ActivityState } from "@/lib/db/schema";
import { redactSecrets } from "./redact";

/**
 * RunPod job statuses and how they map to card states. RunPod's docs list IN_QUEUE,
 * IN_PROGRESS, COMPLETED, FAILED, CANCELLED and TIMED_OUT; RUNNING appears in some
 * SDK versions and bug reports, so it maps to running too.
 */
const STATUS_TO_STATE: Record<string, ActivityState> = {
  IN_QUEUE: "queued",
  IN_PROGRESS: "running",
  RUNNING: "running",
  COMPLETED: "completed",
  FAILED: "failed",
  TIMED_OUT: "timed_out",
  CANCELLED: "cancelled",
};

export const TERMINAL_STATES: ReadonlySet<ActivityState> = new Set([
  "completed",
  "failed",
  "timed_out",
  "cancelled",
  "expired",
  "merged",
]);

export function isTerminal(state: ActivityState): boolean {
  return TERMINAL_STATES.has(state);
}

/** Returns the card state for a RunPod status, or null for a status Chirp does not know. */
export function stateForStatus(status: string): ActivityState | null {
  // RunPod sends upper case; hand-written requests often don't, and mean the same status.
  const word = status.toUpperCase();
  // Own properties only: "constructor" or "toString" are unknown statuses, not map methods.
  return Object.hasOwn(STATUS_TO_STATE, word) ? STATUS_TO_STATE[word]! : null;
}

/** Returns the RunPod status word for a card state, as the card header shows it. */
export function statusWord(state: ActivityState): string {
  return state === "queued" ? "QUEUED" : state.toUpperCase();
}

/**
 * Returns the state a card moves to. A terminal state is final: the first one wins and nothing
 * reopens or recolours the card. Any open state may follow any other, because RunPod
 * re-queues a job whose worker crashed (running -> queued).
 */
export function nextState(current: ActivityState, incoming: ActivityState | null): ActivityState {
  if (isTerminal(current) || incoming === null) return current;
  return incoming;
}

/** Fields of a RunPod status object (webhook body or /status response) that a card shows. */
export interface JobOutcome {
  delayMs: number | null;
  executionMs: number | null;
  workerId: string | null;
  errorMessage: string | null;
  hasOutput: boolean;
}

const MAX_ERROR_MESSAGE = 2000;

// Times are stored as bigint. A value above Number.MAX_SAFE_INTEGER is no real duration,
// and one above 2^63 would fail the insert.
function milliseconds(value: unknown): number | null {
  return typeof value === "number" && value >= 0 && value <= Number.MAX_SAFE_INTEGER
    ? Math.round(value)
    : null;
}

/**
 * Reads a status object. FAILED's `error` is often a JSON-encoded string written by
 * runpod-python holding `error_type`, `error_message` and a traceback; the card shows
 * only the message.
 */
export function readOutcome(body: Record<string, unknown>): JobOutcome {
  return {
    delayMs: milliseconds(body.delayTime),
    executionMs: milliseconds(body.executionTime),
    workerId: typeof body.workerId === "string" ? replaceNul(body.workerId.slice(0, 200)) : null,
    errorMessage: readErrorMessage(body.error),
    hasOutput: body.output !== undefined && body.output !== null,
  };
}

export function readErrorMessage(error: unknown): string | null {
  if (error === undefined || error === null || error === "") return null;
  let message: string;
  if (typeof error === "string") {
    message = error;
    const trimmed = error.trim();
    if (trimmed.startsWith("{")) {
      try {
        const parsed = JSON.parse(trimmed) as unknown;
        if (parsed && typeof parsed === "object" && "error_message" in parsed) {
          const inner = (parsed as { error_message: unknown }).error_message;
          if (typeof inner === "string" && inner !== "") message = inner;
        }
      } catch {
        // A plain message that happens to start with a brace.
      }
    }
  } else if (typeof error === "object" && "error_message" in error) {
    const inner = (error as { error_message: unknown }).error_message;
    message = typeof inner === "string" ? inner : (jsonText(inner) ?? NESTED_TOO_DEEPLY);
  } else {
    message = jsonText(error) ?? NESTED_TOO_DEEPLY;
  }
  // A handler's error can quote the job, and with it the webhook URL and its key.
  message = replaceNul(redactSecrets(message));
  return message.length > MAX_ERROR_MESSAGE
    ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…`
    : message;
}

/** Stands in for an error value that JSON.stringify cannot write. */
export const NESTED_TOO_DEEPLY = "(the error is nested too deeply to show; see the delivery body)";

/**
 * Returns a parsed body value as JSON text, or null when it is nested too deeply for
 * JSON.stringify, which overflows the stack at a few thousand levels in Node 20 although
 * JSON.parse read it.
 */
export function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * Replaces U+0000 with U+FFFD. Postgres text and jsonb cannot store U+0000, but a job's
 * error text or a misdirected binary body may contain it, and the card must still close.
 */
export function replaceNul(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD");
}

/** Returns the endpoint's page in the RunPod console, because RunPod has no documented per-job page. */
export function consoleUrl(endpointId: string): string {
  return `https://console.runpod.io/serverless/user/endpoint/${encodeURIComponent(endpointId)}`;
}

export const ENDPOINT_ID_PATTERN = /^[a-z0-9]{14}$/;

// The endpoint id inside a pasted URL: the console's endpoint page or the API's /v2 path.
const ENDPOINT_IN_URL =
  /^https?:\/\/[^/]*runpod\.(?:io|ai)\/(?:serverless\/user\/endpoint|v2)\/([a-z0-9]{14})(?:[/?#]|$)/;

/**
 * Returns the endpoint id a user entered: the text itself, or the id in a RunPod console
 * or API URL pasted in its place.
 */
export function endpointIdFromInput(text: string): string {
  const trimmed = text.trim();
  return ENDPOINT_IN_URL.exec(trimmed)?.[1] ?? trimmed;
}
