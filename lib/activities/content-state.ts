import type { Activity, ActivityState } from "@/lib/db/schema";
import { isTerminal } from "@/lib/runpod/status";
import { actionLine, type CardColor, cardColor, cardTitle, totalMs } from "./presentation";
import { type ActivityView, toActivityView } from "./view";

/**
 * The card as the phone's Live Activity receives it: the ActivityKit content state and
 * the push payload that carries it. The board card renders its header, action line and
 * colour from the same content state, so the web and the phone show the same text.
 *
 * The payload uses the `aps` keys that APNs defines for Live Activity updates:
 * `timestamp`, `event`, `content-state`, `stale-date`, `dismissal-date` (with "end" only)
 * and `alert`. ActivityKit limits the dynamic data of a Live Activity to 4 KB.
 */

/** The dynamic data of the Live Activity, flat so the phone's Codable struct stays simple. */
export interface ActivityContentState {
  state: ActivityState;
  /** RunPod's status word for the header, such as "RUNNING". */
  statusWord: string;
  endpoint: string | null;
  /** The job name, or the job id when the sender gave no name. */
  jobName: string;
  actionLine: string;
  queuePosition: number | null;
  gpuType: string | null;
  progress: string | null;
  /** Unix seconds when the card opened, so the phone can tick its own timer. */
  openedAt: number;
  /** Seconds from opening the card to its last change. */
  elapsedSeconds: number;
  /** The job's total time in seconds once closed; null while open. */
  totalSeconds: number | null;
  color: CardColor;
  errorMessage: string | null;
}

export const CONTENT_STATE_FIELDS = [
  "state",
  "statusWord",
  "endpoint",
  "jobName",
  "actionLine",
  "queuePosition",
  "gpuType",
  "progress",
  "openedAt",
  "elapsedSeconds",
  "totalSeconds",
  "color",
  "errorMessage",
] as const satisfies readonly (keyof ActivityContentState)[];

export type PushEvent = "start" | "update" | "end";

export interface ActivityPushPayload {
  aps: {
    /** Unix seconds of the change; the phone ignores a push older than the one it shows. */
    timestamp: number;
    event: PushEvent;
    "content-state": ActivityContentState;
    /** Unix seconds after which the phone marks an open card as out of date. */
    "stale-date"?: number;
    /** Unix seconds at which the phone removes an ended card from the Lock Screen. */
    "dismissal-date"?: number;
    alert?: { title: string; body: string };
  };
}

export const APS_FIELDS = [
  "timestamp",
  "event",
  "content-state",
  "stale-date",
  "dismissal-date",
  "alert",
] as const satisfies readonly (keyof ActivityPushPayload["aps"])[];

/** Apple's limit for a Live Activity's dynamic data; the whole payload is kept under it. */
export const MAX_PAYLOAD_BYTES = 4096;

export const DEFAULT_STALE_AFTER_SECONDS = 15 * 60;
export const DEFAULT_DISMISS_AFTER_SECONDS = 4 * 60 * 60;

/**
 * Maximum UTF-8 bytes of each text in its JSON-escaped form. Together with the fixed
 * fields they keep the payload under MAX_PAYLOAD_BYTES whatever the texts contain.
 */
const TEXT_BYTES = {
  jobName: 400,
  actionLine: 1000,
  errorMessage: 1000,
  progress: 256,
  gpuType: 128,
  endpoint: 64,
  alertBody: 256,
} as const;

const ELLIPSIS = "…";
const encoder = new TextEncoder();
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Returns the UTF-8 size of a value serialised as JSON. */
export function jsonByteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

function escapedByteLength(text: string): number {
  return jsonByteLength(text) - 2;
}

/**
 * Shortens text so that its JSON-escaped UTF-8 form takes at most `maxBytes`, ending a
 * shortened text with an ellipsis. It cuts only between grapheme clusters, so no
 * character, surrogate pair, emoji sequence or combining mark is split.
 */
export function truncateText(text: string, maxBytes: number): string {
  if (escapedByteLength(text) <= maxBytes) return text;
  const budget = maxBytes - escapedByteLength(ELLIPSIS);
  let kept = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = escapedByteLength(segment);
    if (used + size > budget) break;
    kept += segment;
    used += size;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

function truncateOrNull(text: string | null, maxBytes: number): string | null {
  return text === null ? null : truncateText(text, maxBytes);
}

function asView(activity: ActivityView | Activity): ActivityView {
  return "statusWord" in activity ? activity : toActivityView(activity);
}

function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** Maps a card to its ActivityKit content state, with long texts shortened to fit 4 KB. */
export function activityContentState(activity: ActivityView | Activity): ActivityContentState {
  const view = asView(activity);
  const total = totalMs(view);
  return {
    state: view.state,
    statusWord: view.statusWord,
    endpoint: truncateOrNull(view.endpoint, TEXT_BYTES.endpoint),
    jobName: truncateText(cardTitle(view), TEXT_BYTES.jobName),
    actionLine: truncateText(actionLine(view), TEXT_BYTES.actionLine),
    queuePosition: view.queuePosition,
    gpuType: truncateOrNull(view.gpuType, TEXT_BYTES.gpuType),
    progress: truncateOrNull(view.progress, TEXT_BYTES.progress),
    openedAt: unixSeconds(view.createdAt),
    elapsedSeconds: Math.max(0, unixSeconds(view.updatedAt) - unixSeconds(view.createdAt)),
    totalSeconds: total === null ? null : Math.round(total / 1000),
    color: cardColor(view.state),
    errorMessage: truncateOrNull(view.errorMessage, TEXT_BYTES.errorMessage),
  };
}

/**
 * Returns the push event of a card's last change. A card whose row was never updated
 * after its insert is at its first change.
 */
export function pushEvent(activity: Pick<ActivityView, "state" | "createdAt" | "updatedAt">) {
  // NOTE: a card that a webhook opened already closed gets "end" for its first change,
  // so the phone has no started Live Activity to end and only the alert reaches it.
  if (isTerminal(activity.state)) return "end";
  return activity.updatedAt === activity.createdAt ? "start" : "update";
}

export interface PushTiming {
  /** Seconds after the last change at which an open card goes stale on the phone. */
  staleAfterSeconds?: number;
  /** Seconds after closing at which the phone removes the card. */
  dismissAfterSeconds?: number;
}

/**
 * Builds the ActivityKit push payload the phone would receive for the card's last
 * change. An open card gets a stale date, an ended one a dismissal date and an alert.
 * Throws when the payload would exceed MAX_PAYLOAD_BYTES, which the text limits rule out.
 */
export function activityPushPayload(
  activity: ActivityView | Activity,
  {
    staleAfterSeconds = DEFAULT_STALE_AFTER_SECONDS,
    dismissAfterSeconds = DEFAULT_DISMISS_AFTER_SECONDS,
  }: PushTiming = {},
): ActivityPushPayload {
  const view = asView(activity);
  const contentState = activityContentState(view);
  const timestamp = unixSeconds(view.updatedAt);
  const event = pushEvent(view);

  const aps: ActivityPushPayload["aps"] = { timestamp, event, "content-state": contentState };
  if (event === "end") {
    aps["dismissal-date"] = unixSeconds(view.closedAt ?? view.updatedAt) + dismissAfterSeconds;
    aps.alert = {
      title: `RunPod · ${contentState.statusWord}`,
      body: truncateText(contentState.jobName, TEXT_BYTES.alertBody),
    };
  } else {
    aps["stale-date"] = timestamp + staleAfterSeconds;
  }

  const payload = { aps };
  const size = jsonByteLength(payload);
  if (size > MAX_PAYLOAD_BYTES) {
    throw new Error(
      `The push payload of activity ${view.id} takes ${size} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit.`,
    );
  }
  return payload;
}
