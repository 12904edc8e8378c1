import type { ActivityEvent, ActivityState, Delivery } from "@/lib/db/schema";
import { isTerminal, stateForStatus } from "@/lib/runpod/status";

/** The placeholder that stands for the webhook key in commands shown to users. */
export const WEBHOOK_KEY_PLACEHOLDER = "YOUR_WEBHOOK_KEY";

/** Quotes a value for a POSIX shell: single quotes, with each `'` written as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Builds a curl command that sends the stored body to the webhook URL again, with the
 * stored Content-Type. The key is a placeholder: Chirp stores only a hash of it. A body
 * that was truncated in storage is sent as the truncated copy.
 */
export function curlCommand(
  delivery: Pick<Delivery, "body" | "contentType">,
  baseUrl: string,
): string {
  const url = `${baseUrl}/v1/webhooks/runpod?key=${WEBHOOK_KEY_PLACEHOLDER}`;
  const lines = [`curl -X POST ${shellQuote(url)}`];
  if (delivery.contentType !== null) {
    lines.push(`  -H ${shellQuote(`content-type: ${delivery.contentType}`)}`);
  }
  lines.push(`  --data-binary ${shellQuote(delivery.body)}`);
  return lines.join(" \\\n");
}

const UNITS = ["KB", "MB", "GB"] as const;

/** Formats a byte count for people, in powers of 1024: "812 B", "1.5 KB", "20.0 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** The body pretty-printed when it is complete JSON, or null when it should be shown as text. */
export function prettyJson(delivery: Pick<Delivery, "body" | "bodyTruncated">): string | null {
  if (delivery.bodyTruncated) return null;
  try {
    return JSON.stringify(JSON.parse(delivery.body), null, 2);
  } catch {
    return null;
  }
}

/** Formats the response Chirp returned, such as "200" or "401 revoked_key". */
export function responseLabel(delivery: Pick<Delivery, "responseStatus" | "errorCode">): string {
  return delivery.errorCode
    ? `${delivery.responseStatus} ${delivery.errorCode}`
    : String(delivery.responseStatus);
}

/** Writes a card state for people: "timed out" for `timed_out`. */
export function stateLabel(state: ActivityState): string {
  return state.replaceAll("_", " ");
}

/** The outcome of one replay of a delivery on its card. */
export interface ReplayOutcome {
  /** Whether the replay's status was applied to the card. */
  applied: boolean;
  /** The card's change in words, such as "card queued → completed". */
  summary: string;
}

/**
 * Describes a replay from the event it recorded. A replay applies unless the card was
 * already in a terminal state, which is final, or the status is one Chirp does not know.
 */
export function describeReplay(
  event: Pick<ActivityEvent, "stateBefore" | "stateAfter" | "runpodStatus">,
): ReplayOutcome {
  const { stateBefore, stateAfter, runpodStatus } = event;
  if (stateBefore === null) {
    return { applied: true, summary: `card opened ${stateLabel(stateAfter)}` };
  }
  if (isTerminal(stateBefore)) {
    return { applied: false, summary: `card was already ${stateLabel(stateBefore)}` };
  }
  if (runpodStatus === null || stateForStatus(runpodStatus) === null) {
    const status = runpodStatus === null ? "no status" : `unknown status "${runpodStatus}"`;
    return { applied: false, summary: `${status}, card stayed ${stateLabel(stateBefore)}` };
  }
  return {
    applied: true,
    summary:
      stateBefore === stateAfter
        ? `card stayed ${stateLabel(stateAfter)}`
        : `card ${stateLabel(stateBefore)} → ${stateLabel(stateAfter)}`,
  };
}
