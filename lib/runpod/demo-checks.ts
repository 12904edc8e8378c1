import { DEMO_CONNECTION_ENDPOINT, DEMO_RUNPOD_API_KEY, type DemoJob } from "./demo-config";

/**
 * The parts of `npm run demo` that need no running Chirp. The checks of Chirp's responses
 * before any job starts map each setup mistake to one message that names the fix.
 */

/** Raised for a setup mistake that ends the demo with one message and exit code 1. */
export class DemoSetupError extends Error {}

const BODY_PREVIEW_CHARS = 120;

/** Returns Chirp's error code and message, or undefined when the body is not Chirp's error body. */
export function chirpErrorOf(text: string): { code: string; message: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== "string" || typeof error.message !== "string") return undefined;
  return { code: error.code, message: error.message };
}

/**
 * Describes a response for a message: Chirp's error code and message, or else the status
 * and the start of whatever body came back.
 */
export function describeResponse(statusCode: number, text: string): string {
  const error = chirpErrorOf(text);
  if (error !== undefined) return `${statusCode} ${error.code}: ${error.message}`;
  const body = text.trim().replace(/\s+/g, " ");
  if (body === "") return `${statusCode} with an empty body`;
  const preview = body.length > BODY_PREVIEW_CHARS ? `${body.slice(0, BODY_PREVIEW_CHARS)}…` : body;
  return `${statusCode} with the body ${preview}`;
}

function notChirp(chirpUrl: string, request: string, response: string): string {
  return `CHIRP_BASE_URL=${chirpUrl} does not point at Chirp: ${request} returned ${response}. Set CHIRP_BASE_URL to the address Chirp's dashboard runs at, such as http://127.0.0.1:3000, and not to the demo's simulator or another server.`;
}

/** Returns the problem with the response to `GET /v1/ping`, or undefined when it came from Chirp. */
export function pingProblem(
  chirpUrl: string,
  statusCode: number,
  text: string,
): string | undefined {
  try {
    const body = JSON.parse(text) as { ok?: unknown } | null;
    if (statusCode === 200 && body?.ok === true) return undefined;
  } catch {
    // Not JSON, so not Chirp: described below.
  }
  return notChirp(chirpUrl, "GET /v1/ping", describeResponse(statusCode, text));
}

/**
 * Returns the problem with Chirp's response to `GET /v1/runpod-connection` sent with
 * CHIRP_API_KEY, or undefined when the key was accepted. An account without a saved
 * connection gets 404 not_found, which still means the key is valid.
 */
export function apiKeyProblem(
  chirpUrl: string,
  statusCode: number,
  text: string,
): string | undefined {
  const error = chirpErrorOf(text);
  if (statusCode === 200 || (statusCode === 404 && error?.code === "not_found")) return undefined;
  if (statusCode === 401 && error !== undefined)
    return keyRejected("CHIRP_API_KEY", chirpUrl, error);
  return notChirp(chirpUrl, "GET /v1/runpod-connection", describeResponse(statusCode, text));
}

/** Returns the message for a key that Chirp rejected with 401, quoting Chirp's reason. */
export function keyRejected(
  variable: "CHIRP_API_KEY" | "CHIRP_WEBHOOK_KEY",
  chirpUrl: string,
  error: { code: string; message: string },
): string {
  const kind = variable === "CHIRP_API_KEY" ? "API key" : "webhook key";
  return `Chirp rejected ${variable} (401 ${error.code}: ${error.message}) Copy the ${kind} again from ${chirpUrl}/keys, or create a new one there, and run the demo again.`;
}

/** Returns the message for an error of starting the simulator on CHIRP_SIMULATOR_PORT, or undefined for other errors. */
export function listenProblem(error: unknown, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") {
    return `CHIRP_SIMULATOR_PORT=${port} is already in use on 127.0.0.1. Choose a free port, and point Chirp's CHIRP_RUNPOD_BASE_URL at the same port.`;
  }
  if (code === "EACCES") {
    return `CHIRP_SIMULATOR_PORT=${port} needs privileges to listen on. Choose a free port above 1023.`;
  }
  return undefined;
}

const STATUS_POLL = /^(?:GET|POST) \/v2\/[^/]+\/status\/([^/?\s]+)\S* -> 200 /;

/** Counts a simulator log line that records a 200 response to a job's `/status` request. */
export function countStatusPoll(statusPolls: Map<string, number>, line: string): void {
  const jobId = STATUS_POLL.exec(line)?.[1];
  if (jobId !== undefined) statusPolls.set(jobId, (statusPolls.get(jobId) ?? 0) + 1);
}

/** Returns the closing line when every job's card closed as planned. */
export function closingSummary(jobs: DemoJob[]): string {
  const runNameCards = jobs.filter((job) => job.cardKey !== undefined);
  const closed = "Every card under a RunPod job id closed, through its webhook or the watchdog.";
  if (runNameCards.length === 0) return closed;
  const keys = runNameCards.map((job) => `"${job.cardKey}"`).join(", ");
  return `${closed} The card under the run name ${keys} is a second card for its job. It stays open until it is merged with the job's card: on the Duplicates page, or automatically when Settings merges high-confidence duplicates.`;
}

/** The fields of a `GET /v1/runpod-connection` response that name the saved connection. */
export interface SavedConnection {
  endpointId: string;
  apiKeyLast4: string;
  savedAt: string;
}

/** Returns the connection in a `GET /v1/runpod-connection` response body, or undefined when it has none. */
export function savedConnectionOf(body: unknown): SavedConnection | undefined {
  const connection = (body as { connection?: Record<string, unknown> } | null | undefined)
    ?.connection;
  const endpointId = connection?.endpointId;
  const apiKeyLast4 = connection?.apiKeyLast4;
  const savedAt = connection?.savedAt;
  if (
    typeof endpointId !== "string" ||
    typeof apiKeyLast4 !== "string" ||
    typeof savedAt !== "string"
  ) {
    return undefined;
  }
  return { endpointId, apiKeyLast4, savedAt };
}

/**
 * Returns whether a saved connection is the one the demo saves for its simulator.
 *
 * NOTE: Chirp returns only the last four characters of the saved key, so another key that
 * ends in the same four characters, saved for the same endpoint id, passes as the demo's.
 */
export function isDemoConnection(connection: SavedConnection): boolean {
  return (
    connection.endpointId === DEMO_CONNECTION_ENDPOINT &&
    connection.apiKeyLast4 === DEMO_RUNPOD_API_KEY.slice(-4)
  );
}

/** Returns the message that stops the demo before it replaces a RunPod connection it did not save. */
export function savedConnectionProblem(chirpUrl: string, connection: SavedConnection): string {
  return [
    `This account already has a RunPod connection: endpoint ${connection.endpointId}, API key ending in ${connection.apiKeyLast4}, saved ${connection.savedAt}. With CHIRP_SIMULATOR_PORT set, the demo would replace it with a connection to its simulator, so the demo stopped and changed nothing.`,
    "To keep the connection, run the demo without CHIRP_SIMULATOR_PORT: it then leaves the connection alone and skips the job whose webhook is lost.",
    `To see the watchdog close that job's card, run the demo with the keys of an account that has no RunPod connection, or remove the key under Settings > RunPod connection (${chirpUrl}/settings) and save it again after the demo.`,
  ].join("\n");
}

/** A card that the demo opened and could not close after the run failed. */
export interface StillOpenCard {
  key: string;
  /** The id from the response to `activity/start`, when it had one. */
  activityId: string | undefined;
  /** Reason that `POST /v1/activity/end` failed for the card. */
  problem: string;
}

function countCards(count: number): string {
  return count === 1 ? "1 card" : `${count} cards`;
}

/**
 * Returns the report on closing the cards that a failed run opened and that were still
 * open: which cards closed, and for each card that stays open, why and how to close it.
 */
export function closedCardsReport(
  chirpUrl: string,
  closedKeys: string[],
  stillOpen: StillOpenCard[],
): string {
  const total = closedKeys.length + stillOpen.length;
  if (stillOpen.length === 0) {
    const cards =
      total === 1
        ? "the card that this run opened and that was"
        : `the ${total} cards that this run opened and that were`;
    return `Closed ${cards} still open, as cancelled: ${closedKeys.join(", ")}. No card of this run stays open.`;
  }
  const lines: string[] = [];
  if (closedKeys.length > 0) {
    lines.push(
      `Closed ${closedKeys.length} of the ${countCards(total)} that this run opened and that were still open, as cancelled: ${closedKeys.join(", ")}.`,
    );
  }
  const stay = stillOpen.length === 1 ? "stays" : "stay";
  lines.push(`Closing failed, so ${countCards(stillOpen.length)} of this run ${stay} open:`);
  for (const card of stillOpen) {
    const page =
      card.activityId === undefined ? "" : ` (${chirpUrl}/activities/${card.activityId})`;
    lines.push(`  ${card.key}${page}: ${card.problem}`);
  }
  lines.push(
    `Close each one with "End card…" on its page in the dashboard, or with:`,
    `  curl -X POST ${chirpUrl}/v1/activity/end -H "Authorization: Bearer $CHIRP_API_KEY" -H "Content-Type: application/json" -d '{"schema_id": "@runpod", "data": {"key": "<key>", "status": "CANCELLED"}}'`,
  );
  return lines.join("\n");
}
