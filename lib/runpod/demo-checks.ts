import type { DemoJob } from "./demo-config";

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
  const closed = "Every job's card closed: through its webhook, or through the watchdog.";
  if (runNameCards.length === 0) return closed;
  const keys = runNameCards.map((job) => `"${job.cardKey}"`).join(", ");
  return `${closed} The card opened under the run name ${keys} stays open until you merge it with its job's card on the Duplicates page.`;
}
