import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { JobRunner, type SimulatedJob } from "./simulator-jobs";
import { parseRunRequest, resolveDefaults, type SimulationDefaults } from "./simulator-request";
import { ENDPOINT_ID_PATTERN } from "./status";

/**
 * A local stand-in for RunPod's serverless API, for the demo and for tests. It serves:
 *
 *   POST /v2/<endpoint_id>/run                 queue a job and return {"id", "status": "IN_QUEUE"}
 *   POST /v2/<endpoint_id>/runsync[?wait=ms]   queue a job and return its status object when
 *                                              it finishes or after the wait (default 90 s)
 *   GET  /v2/<endpoint_id>/status/<job_id>     the status object, 404 once TTL or retention passed
 *   POST /v2/<endpoint_id>/cancel/<job_id>     move a queued or running job to CANCELLED
 *   GET  /v2/<endpoint_id>/health              job and worker counts for the endpoint
 *
 * Every route needs an Authorization header. With the `apiKey` option only that key is
 * accepted, otherwise any non-empty key. Endpoint ids are 14 lowercase letters and digits,
 * and any other id gets 404.
 *
 * A job waits in IN_QUEUE for `queueMs`, runs IN_PROGRESS for `runMs`, then ends with its
 * outcome. Its webhook, if any, then receives the status object plus the echoed `input`
 * and `webhook` fields. A webhook attempt that gets no 200 within `webhookTimeoutMs` is
 * retried up to 2 more times, `webhookRetryDelayMs` apart.
 *
 * The submitter scripts the job with an optional `input.simulate` object (unknown fields
 * are rejected with 400):
 *
 *   outcome         "COMPLETED" | "FAILED" | "TIMED_OUT" | "CANCELLED", default "COMPLETED"
 *   queueMs         time in IN_QUEUE before the first start, default 500
 *   runMs           time in IN_PROGRESS, default 1500
 *   output          output of a COMPLETED job, default {"results": [{"success": true}]}.
 *                   null or "none" completes without output, as RunPod does when the
 *                   handler returned an error.
 *   error           error string of a FAILED job, default a JSON-encoded python-handler
 *                   error with error_type, error_message and error_traceback
 *   dropWebhooks    number of leading webhook attempts that count as failed without being
 *                   sent, to imitate lost deliveries (3 or more loses the webhook), default 0
 *   statusSequence  statuses after the first IN_QUEUE period, each lasting runMs, e.g.
 *                   ["IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS", "FAILED"] for a job re-queued
 *                   after a worker crash. Only the last entry may be terminal, and it
 *                   replaces `outcome`. A sequence that ends with a non-terminal status
 *                   leaves the job there until it is cancelled or its TTL passes.
 *
 * RunPod's own `policy` is honoured. A job that would run longer than
 * `policy.executionTimeout` ends as TIMED_OUT at that point. Once `policy.ttl`, counted
 * from submission, has passed, `/status` returns 404, and a job that had not finished
 * by then ends without webhook.
 */

export interface RunpodSimulatorOptions {
  /** TCP port, default 0 for a free port. */
  port?: number;
  /** Loopback address to listen on, default 127.0.0.1. */
  host?: "127.0.0.1" | "::1";
  /** When set, the only accepted API key. Requests with another key get 401. */
  apiKey?: string;
  /** Delay between webhook attempts in ms, default 10,000 like RunPod. */
  webhookRetryDelayMs?: number;
  /** Time allowed for one webhook attempt in ms, default 10,000. */
  webhookTimeoutMs?: number;
  /** Time a finished `/run` job stays readable through `/status` in ms, default 30 minutes. */
  retentionMs?: number;
  /** Time a finished `/runsync` job stays readable in ms, default 1 minute. */
  runsyncRetentionMs?: number;
  /** Time `/runsync` waits for the job before it returns the unfinished status, in ms, default 90,000. */
  runsyncWaitMs?: number;
  /** Simulator-wide defaults for the fields of `input.simulate`. */
  defaults?: Partial<SimulationDefaults>;
  /** Whether a cancelled job's webhook fires, default true. RunPod's behaviour is unconfirmed. */
  webhookOnCancel?: boolean;
  /** Receives one line per request, status change and webhook attempt. Silent when absent. */
  onLog?: (line: string) => void;
}

export interface RunpodSimulator {
  /** Base URL without trailing slash, such as http://127.0.0.1:41234. */
  readonly url: string;
  /** Every job submitted so far, expired ones included, by job id. */
  readonly jobs: ReadonlyMap<string, SimulatedJob>;
  /**
   * Responds to the next `count` authorized requests with 429 and `Retry-After:
   * retryAfterSeconds`, as RunPod does when an account sends too many requests.
   */
  rateLimit(count: number, retryAfterSeconds: number): void;
  /** Stops the server, every job timer and every pending webhook retry. */
  close(): Promise<void>;
}

// RunPod's operation reference gives 20 MB for /runsync bodies. runpodctl checks /run
// bodies against 10 MiB before sending them.
const MAX_RUN_BODY_BYTES = 10 * 1024 * 1024;
const MAX_RUNSYNC_BODY_BYTES = 20 * 1000 * 1000;

// Bounds of RunPod's `?wait=` parameter on /runsync, in ms, per its operation reference.
const MIN_RUNSYNC_WAIT_MS = 1000;
const MAX_RUNSYNC_WAIT_MS = 300_000;

type BodyResult = { ok: true; text: string } | { ok: false };

/** Reads the body up to `maxBytes`. A longer body is drained and reported as too large. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on("end", () => {
      resolve(
        size > maxBytes
          ? { ok: false }
          : { ok: true, text: Buffer.concat(chunks).toString("utf8") },
      );
    });
    request.on("error", reject);
  });
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

function sendError(response: ServerResponse, statusCode: number, message: string): void {
  sendJson(response, statusCode, { error: message });
}

/**
 * Returns an error message, or undefined when the header carries an accepted key.
 * The curl examples in RunPod's operation reference send the key without the `Bearer`
 * prefix, so both forms are accepted.
 */
function checkAuthorization(
  header: string | undefined,
  apiKey: string | undefined,
): string | undefined {
  const key = header?.replace(/^Bearer(\s+|$)/i, "").trim() ?? "";
  if (key === "") {
    return "Missing API key. Send the header 'Authorization: Bearer <RunPod API key>'.";
  }
  if (apiKey !== undefined && key !== apiKey) {
    return "Invalid API key. Send the key that the simulator was started with.";
  }
  return undefined;
}

function parseWait(value: string | null, fallbackMs: number): number | string {
  if (value === null) return fallbackMs;
  const wait = Number(value);
  if (!Number.isInteger(wait) || wait < MIN_RUNSYNC_WAIT_MS || wait > MAX_RUNSYNC_WAIT_MS) {
    return `Invalid wait=${value}. Use a whole number of milliseconds from ${MIN_RUNSYNC_WAIT_MS} to ${MAX_RUNSYNC_WAIT_MS}, or leave it out for ${fallbackMs}.`;
  }
  return wait;
}

function requireMethod(
  request: IncomingMessage,
  response: ServerResponse,
  allowed: readonly string[],
): boolean {
  if (request.method !== undefined && allowed.includes(request.method)) return true;
  response.setHeader("Allow", allowed.join(", "));
  sendError(
    response,
    405,
    `Method ${request.method} is not allowed here. Use ${allowed.join(" or ")}.`,
  );
  return false;
}

/** Starts the simulator on a loopback address and resolves once it listens. */
export async function startRunpodSimulator(
  options: RunpodSimulatorOptions = {},
): Promise<RunpodSimulator> {
  const host = options.host ?? "127.0.0.1";
  const log = options.onLog ?? (() => {});
  const defaults = resolveDefaults(options.defaults);
  const runsyncWaitMs = options.runsyncWaitMs ?? 90_000;
  const runner = new JobRunner({
    retentionMs: options.retentionMs ?? 30 * 60_000,
    runsyncRetentionMs: options.runsyncRetentionMs ?? 60_000,
    webhookOnCancel: options.webhookOnCancel ?? true,
    webhookRetryDelayMs: options.webhookRetryDelayMs ?? 10_000,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    log,
  });

  const rateLimited = { count: 0, retryAfterSeconds: 1 };

  async function submit(
    request: IncomingMessage,
    response: ServerResponse,
    endpointId: string,
    sync: boolean,
    searchParams: URLSearchParams,
  ): Promise<void> {
    const wait = sync ? parseWait(searchParams.get("wait"), runsyncWaitMs) : 0;
    if (typeof wait === "string") return sendError(response, 400, wait);

    const maxBytes = sync ? MAX_RUNSYNC_BODY_BYTES : MAX_RUN_BODY_BYTES;
    const body = await readBody(request, maxBytes);
    if (!body.ok) {
      return sendError(
        response,
        413,
        `The request body is larger than the ${maxBytes} bytes this route accepts.`,
      );
    }
    const parsed = parseRunRequest(body.text, defaults);
    if (!parsed.ok) return sendError(response, 400, parsed.message);

    const job = runner.submit(endpointId, parsed.value, sync);
    if (!sync) return sendJson(response, 200, { id: job.id, status: job.status });
    await runner.waitForTerminal(job, wait);
    sendJson(response, 200, runner.statusObject(job));
  }

  function sendJobNotFound(response: ServerResponse, jobId: string): void {
    sendError(
      response,
      404,
      `Job ${jobId} not found. It may belong to another endpoint, or its TTL or result retention has passed.`,
    );
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://simulator.invalid");
    const [version, endpointId, action, jobId, ...rest] = url.pathname.split("/").slice(1);
    if (version !== "v2" || endpointId === undefined || action === undefined || rest.length > 0) {
      return sendError(
        response,
        404,
        `No route for ${url.pathname}. Routes start with /v2/<endpoint_id>/.`,
      );
    }

    const authError = checkAuthorization(request.headers.authorization, options.apiKey);
    if (authError !== undefined) return sendError(response, 401, authError);

    if (rateLimited.count > 0) {
      rateLimited.count--;
      response.setHeader("Retry-After", String(rateLimited.retryAfterSeconds));
      return sendError(response, 429, "Too many requests. Retry after the Retry-After delay.");
    }

    if (!ENDPOINT_ID_PATTERN.test(endpointId)) {
      return sendError(
        response,
        404,
        `Endpoint ${endpointId} not found. Endpoint ids are 14 lowercase letters and digits.`,
      );
    }

    if ((action === "run" || action === "runsync") && jobId === undefined) {
      if (!requireMethod(request, response, ["POST"])) return;
      return submit(request, response, endpointId, action === "runsync", url.searchParams);
    }
    if (action === "health" && jobId === undefined) {
      if (!requireMethod(request, response, ["GET"])) return;
      return sendJson(response, 200, runner.health(endpointId));
    }
    if (action === "status" && jobId !== undefined && jobId !== "") {
      // RunPod's docs show both GET and POST for /status.
      if (!requireMethod(request, response, ["GET", "POST"])) return;
      const job = runner.find(endpointId, jobId);
      if (job === undefined) return sendJobNotFound(response, jobId);
      return sendJson(response, 200, runner.statusObject(job));
    }
    if (action === "cancel" && jobId !== undefined && jobId !== "") {
      if (!requireMethod(request, response, ["POST"])) return;
      const job = runner.find(endpointId, jobId);
      if (job === undefined) return sendJobNotFound(response, jobId);
      runner.cancel(job);
      return sendJson(response, 200, { id: job.id, status: job.status });
    }
    sendError(
      response,
      404,
      `No route for ${url.pathname}. Use run, runsync, status/<job_id>, cancel/<job_id> or health.`,
    );
  }

  const server = createServer((request, response) => {
    const startedAt = Date.now();
    response.on("finish", () => {
      log(
        `${request.method} ${request.url} -> ${response.statusCode} in ${Date.now() - startedAt} ms`,
      );
    });
    route(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log(`${request.method} ${request.url} failed: ${message}`);
      if (!response.headersSent) sendError(response, 500, `Simulator error: ${message}`);
      else response.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = host === "::1" ? `http://[::1]:${port}` : `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    jobs: runner.jobs,
    rateLimit(count, retryAfterSeconds) {
      rateLimited.count = count;
      rateLimited.retryAfterSeconds = retryAfterSeconds;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        runner.close();
        server.close(() => resolve());
        // Open keep-alive and runsync connections would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export type { HealthCounts, SimulatedJob, StatusChange } from "./simulator-jobs";
export type { JobPolicy, JobStatus, SimulationDefaults, TerminalStatus } from "./simulator-request";
export type { WebhookAttempt, WebhookDelivery } from "./simulator-webhooks";
export { redactUrl } from "./simulator-webhooks";
