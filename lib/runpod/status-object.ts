import { z } from "zod";
import { changeActivity, getActivityByKey, type ProgressFields } from "@/lib/activities/store";
import { getDb, type Transaction } from "@/lib/db/client";
import type { ActivityEvent, ActivityState } from "@/lib/db/schema";
import { redactSecrets } from "./redact";
import {
  isTerminal,
  type JobOutcome,
  jsonText,
  NESTED_TOO_DEEPLY,
  readErrorMessage,
  readOutcome,
  replaceNul,
  stateForStatus,
} from "./status";

/**
 * The fields of a RunPod status object that change a card. It is stored with every
 * accepted delivery, so a delivery can be replayed even when its stored body was cut off
 * at the size cap. Times and the worker id are stored as the card reads them.
 */
export interface StatusObject {
  id: string;
  /** RunPod's status word as received, or null when the body had none. */
  status: string | null;
  /** Milliseconds, or null when absent or not a non-negative number. */
  delayTime: number | null;
  executionTime: number | null;
  workerId: string | null;
  /** The `error` field as received (JSON-encoded when it was not a string), redacted. */
  error: string | null;
  hasOutput: boolean;
}

/**
 * The most characters of `error` kept. A runpod-python error with its traceback is a
 * few kilobytes; a longer one is cut, and the card then shows the start of the raw text
 * because the cut JSON no longer parses.
 */
export const MAX_STORED_ERROR_LENGTH = 64 * 1024;

const storedStatusObject = z.object({
  id: z.string().min(1),
  status: z.string().nullable(),
  delayTime: z.number().nullable(),
  executionTime: z.number().nullable(),
  workerId: z.string().nullable(),
  error: z.string().nullable(),
  hasOutput: z.boolean(),
});

/** Builds the status object to store from a parsed webhook body. */
export function toStatusObject(
  jobId: string,
  status: string | null,
  body: Record<string, unknown>,
): StatusObject {
  const outcome = readOutcome(body);
  return {
    id: jobId,
    status,
    delayTime: outcome.delayMs,
    executionTime: outcome.executionMs,
    workerId: outcome.workerId,
    error: storableError(body.error),
    hasOutput: outcome.hasOutput,
  };
}

function storableError(error: unknown): string | null {
  if (error === undefined || error === null) return null;
  const text = typeof error === "string" ? error : (jsonText(error) ?? NESTED_TOO_DEEPLY);
  // The error can quote the job, and with it the webhook URL and its key.
  const redacted = replaceNul(redactSecrets(text));
  return redacted.length > MAX_STORED_ERROR_LENGTH
    ? redacted.slice(0, MAX_STORED_ERROR_LENGTH)
    : redacted;
}

/** Reads a stored status object back, or throws when the stored value has another shape. */
export function parseStoredStatusObject(value: unknown): StatusObject {
  return storedStatusObject.parse(value);
}

function outcomeOf(statusObject: StatusObject): JobOutcome {
  return {
    delayMs: statusObject.delayTime,
    executionMs: statusObject.executionTime,
    workerId: statusObject.workerId,
    errorMessage: readErrorMessage(statusObject.error),
    hasOutput: statusObject.hasOutput,
  };
}

function eventTypeFor(
  source: NonNullable<ApplyStatusObjectInput["source"]>,
  state: ActivityState | null,
): ActivityEvent["type"] {
  if (source === "watchdog") return "poll";
  if (source === "inspector") return state !== null && isTerminal(state) ? "end" : "update";
  return "delivery";
}

export interface ApplyStatusObjectInput {
  accountId: string;
  statusObject: StatusObject;
  /**
   * The delivery that carried the status object; a replay names the delivery it replays.
   * Absent when the watchdog read the status object from RunPod's `/status`.
   */
  deliveryId?: string;
  /**
   * `webhook` (the default) for deliveries and replays, `watchdog` for a poll, `inspector`
   * for the status object of a `/runsync` response that the submit proxy passed on.
   */
  source?: "webhook" | "watchdog" | "inspector";
  /** Card fields to set along with the status, such as the watchdog's queue count. */
  fields?: ProgressFields;
  /** Recorded on the event along with the status object's fields. */
  detail?: Record<string, unknown>;
  /** Set when re-applying a stored delivery; recorded on the event as `replayOf`. */
  replayOf?: string;
  /**
   * Runs in the transaction that changes the card, with the card's id (null when no card
   * was touched), for records that must commit with the change, such as the delivery.
   */
  alsoWrite?: (tx: Transaction, activityId: string | null) => Promise<unknown>;
}

export interface AppliedStatus {
  activityId: string | null;
  /** The card's state before, or null when there was no card. */
  stateBefore: ActivityState | null;
  /** The card's state after, or null when no card was touched. */
  state: ActivityState | null;
  /** Whether the card's state changed; a card the delivery created counts as changed. */
  changed: boolean;
  /** Set when the status is missing or unknown, so the card was left as it was. */
  note?: string;
}

/**
 * Applies a RunPod status object to the card of its job: the one path for live webhook
 * deliveries, replays and watchdog polls. The mapping and the terminal-state rule are
 * those of `changeActivity`, and every call on an existing card records one event, with
 * source "webhook" (type "delivery"), "watchdog" (type "poll") or "inspector" (type "end"
 * for a terminal status, otherwise "update").
 */
export async function applyStatusObject(input: ApplyStatusObjectInput): Promise<AppliedStatus> {
  const { accountId, statusObject } = input;
  const state = statusObject.status === null ? null : stateForStatus(statusObject.status);
  const note =
    state === null
      ? `${statusObject.status === null ? 'The body has no "status"' : `Unknown RunPod status "${statusObject.status}"`}; the delivery was recorded and the card is unchanged.`
      : undefined;

  // A status Chirp does not know says nothing about the job, so it opens no card: a card
  // opened in an unknown state could never be closed by anything but a later delivery.
  if (state === null && !(await getActivityByKey({ accountId, key: statusObject.id }))) {
    if (input.alsoWrite) {
      const db = await getDb();
      await db.transaction((tx) => input.alsoWrite!(tx, null));
    }
    return { activityId: null, stateBefore: null, state: null, changed: false, note };
  }

  const outcome = outcomeOf(statusObject);
  const result = await changeActivity(
    {
      accountId,
      key: statusObject.id,
      type: eventTypeFor(input.source ?? "webhook", state),
      source: input.source ?? "webhook",
      state,
      runpodStatus: statusObject.status,
      fields:
        state === null
          ? {}
          : {
              delayMs: outcome.delayMs,
              executionMs: outcome.executionMs,
              workerId: outcome.workerId,
              ...(state === "failed" || state === "timed_out" || state === "cancelled"
                ? { errorMessage: outcome.errorMessage }
                : {}),
              ...(state === "completed" ? { hasOutput: outcome.hasOutput } : {}),
              ...input.fields,
            },
      createIfMissing: true,
      deliveryId: input.deliveryId,
      detail: {
        status: statusObject.status,
        delayTime: outcome.delayMs,
        executionTime: outcome.executionMs,
        workerId: outcome.workerId,
        error: outcome.errorMessage,
        hasOutput: outcome.hasOutput,
        ...(input.replayOf ? { replayOf: input.replayOf } : {}),
        ...input.detail,
      },
    },
    (tx, changed) => input.alsoWrite?.(tx, changed.activity.id) ?? Promise.resolve(),
  );

  return {
    activityId: result.activity.id,
    stateBefore: result.event.stateBefore,
    state: result.activity.state,
    changed: result.transitioned,
    ...(note ? { note } : {}),
  };
}
