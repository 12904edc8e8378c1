import type { ActivityState } from "@/lib/db/schema";
import type { ActivityView } from "./view";

/**
 * Card presentation: durations, the action line, the closing colour and the board order.
 * These are pure functions, shared by server and client components.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/**
 * Formats a duration for people: "850 ms", "4.2 s", "42 s", "3m 05s", "1h 02m", "2d 03h".
 * Negative or non-finite input is treated as zero.
 */
export function formatDuration(ms: number): string {
  const value = Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
  if (value < SECOND) return `${value} ms`;
  if (value < 10 * SECOND) return `${(Math.floor(value / 100) / 10).toFixed(1)} s`;
  if (value < MINUTE) return `${Math.floor(value / SECOND)} s`;
  if (value < HOUR) {
    return `${Math.floor(value / MINUTE)}m ${pad(Math.floor((value % MINUTE) / SECOND))}s`;
  }
  if (value < DAY) {
    return `${Math.floor(value / HOUR)}h ${pad(Math.floor((value % HOUR) / MINUTE))}m`;
  }
  return `${Math.floor(value / DAY)}d ${pad(Math.floor((value % DAY) / HOUR))}h`;
}

/**
 * Formats a running timer the way the Lock Screen shows one: "0:07", "12:34", "1:02:05".
 * Past a day the days come first: "2d 3:04:05".
 */
export function formatTimer(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / SECOND) : 0;
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days}d ${hours}:${pad(minutes)}:${pad(seconds)}`;
  if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${minutes}:${pad(seconds)}`;
}

export function isOpen(state: ActivityState): boolean {
  return state === "queued" || state === "running";
}

/** Returns the card's title: the job name, or the job id when the sender gave no name. */
export function cardTitle(activity: Pick<ActivityView, "jobName" | "key">): string {
  return activity.jobName ?? activity.key;
}

type ActionFields = Pick<
  ActivityView,
  | "state"
  | "queuePosition"
  | "queueCount"
  | "gpuType"
  | "progress"
  | "errorMessage"
  | "hasOutput"
  | "executionMs"
>;

/**
 * Builds the card's action line: what the job is waiting for while open, and its outcome
 * once closed. A COMPLETED job without output is called out because RunPod reports handler
 * errors and failed result uploads as COMPLETED with no output.
 */
export function actionLine(activity: ActionFields): string {
  const withProgress = (text: string) =>
    activity.progress ? `${text} · ${activity.progress}` : text;
  switch (activity.state) {
    case "queued":
      if (activity.queuePosition !== null) {
        return withProgress(`Queue position ${activity.queuePosition}`);
      }
      // The watchdog's count comes from /health, which counts the whole endpoint's queue.
      return withProgress(
        activity.queueCount === null
          ? "Waiting for a GPU"
          : `Waiting for a GPU, ${activity.queueCount} in queue`,
      );
    case "running":
      return withProgress(activity.gpuType ?? "Running");
    case "completed":
      if (activity.hasOutput === false) return "Completed with no output";
      return activity.executionMs === null
        ? "Completed"
        : `Completed in ${formatDuration(activity.executionMs)}`;
    case "failed":
      return activity.errorMessage ?? "Failed";
    case "timed_out":
      return activity.errorMessage ?? "Timed out";
    case "cancelled":
      return activity.errorMessage ?? "Cancelled";
    case "expired":
      return "RunPod no longer knows this job";
    case "merged":
      return "Merged into another card of the same job";
  }
}

/** Milliseconds since the card opened, for the ticking timer of an open card. */
export function elapsedMs(activity: Pick<ActivityView, "createdAt">, now: number): number {
  return Math.max(0, now - Date.parse(activity.createdAt));
}

/**
 * Computes the job's total time on a closed card: RunPod's queue delay plus execution
 * time when both are known, otherwise the time between opening and closing the card.
 * Returns null while the card is open.
 */
export function totalMs(
  activity: Pick<ActivityView, "delayMs" | "executionMs" | "createdAt" | "closedAt">,
): number | null {
  if (activity.delayMs !== null && activity.executionMs !== null) {
    return activity.delayMs + activity.executionMs;
  }
  if (activity.closedAt === null) return null;
  return Math.max(0, Date.parse(activity.closedAt) - Date.parse(activity.createdAt));
}

/**
 * The card's colour by name: RunPod purple while open, then green, red or orange by
 * outcome, and grey for a job whose outcome is unknown because RunPod no longer has it,
 * or for a duplicate card merged into another.
 * The board and the phone's content state both take it from here.
 */
export type CardColor = "purple" | "green" | "red" | "orange" | "grey";

/** The colour of each state. A new state needs one row here and its classes in the UI. */
export const STATE_COLORS: Record<ActivityState, CardColor> = {
  queued: "purple",
  running: "purple",
  completed: "green",
  failed: "red",
  timed_out: "red",
  cancelled: "orange",
  expired: "grey",
  merged: "grey",
};

export function cardColor(state: ActivityState): CardColor {
  return STATE_COLORS[state];
}

/**
 * Formats the card's clock: the ticking timer while open, the job's total time once
 * closed, and an empty string for a closed card with no known total.
 */
export function cardClock(
  activity: Pick<ActivityView, "state" | "delayMs" | "executionMs" | "createdAt" | "closedAt">,
  now: number,
): string {
  if (isOpen(activity.state)) return formatTimer(elapsedMs(activity, now));
  const total = totalMs(activity);
  return total === null ? "" : formatDuration(total);
}

type BoardFields = Pick<ActivityView, "id" | "state" | "createdAt" | "closedAt" | "updatedAt">;

/**
 * Compares two cards in board order. Open cards come first, newest first, so updates to
 * an open card don't move it. Closed cards follow, most recently closed first.
 */
export function compareBoardOrder(a: BoardFields, b: BoardFields): number {
  const aOpen = isOpen(a.state);
  const bOpen = isOpen(b.state);
  if (aOpen !== bOpen) return aOpen ? -1 : 1;
  const aTime = Date.parse(aOpen ? a.createdAt : (a.closedAt ?? a.updatedAt));
  const bTime = Date.parse(bOpen ? b.createdAt : (b.closedAt ?? b.updatedAt));
  if (aTime !== bTime) return bTime - aTime;
  // Same time: a fixed order by id keeps the board from flickering between renders.
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

export function sortBoard<T extends BoardFields>(activities: readonly T[]): T[] {
  return [...activities].sort(compareBoardOrder);
}

/**
 * Puts a card received from the live stream into the board. A version older than the one
 * on the board is ignored, because the page may have rendered after the stream sent it.
 * The board keeps at most `limit` cards, dropping the oldest closed ones first.
 */
export function upsertActivity<T extends BoardFields>(
  board: readonly T[],
  incoming: T,
  limit = 200,
): T[] {
  const existing = board.find((activity) => activity.id === incoming.id);
  if (existing && Date.parse(existing.updatedAt) > Date.parse(incoming.updatedAt)) {
    return [...board];
  }
  const others = board.filter((activity) => activity.id !== incoming.id);
  return sortBoard([...others, incoming]).slice(0, limit);
}

/**
 * Returns when an open card became stale: its last change plus `staleAfterMs`, once `now`
 * has passed that time. Closed cards are never stale.
 */
export function staleSince(
  activity: Pick<ActivityView, "state" | "updatedAt">,
  now: number,
  staleAfterMs: number,
): Date | null {
  if (!isOpen(activity.state)) return null;
  const since = new Date(activity.updatedAt).getTime() + staleAfterMs;
  return Number.isFinite(since) && now >= since ? new Date(since) : null;
}
