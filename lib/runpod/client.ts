import { runpodBaseUrl, runpodRequestTimeoutMs } from "@/lib/config";

/**
 * A client for RunPod's serverless API (`/v2/<endpoint_id>/...`). Every call returns a
 * typed result instead of throwing, so callers decide per outcome: a bad key, a job
 * RunPod no longer has, rate limiting, a RunPod failure, a timeout or a network error.
 */

export type RunpodFailure =
  /** 401 or 403: the API key is missing, wrong or lacks access to the endpoint. */
  | { ok: false; kind: "unauthorized"; status: number; message: string }
  /** 404: the endpoint or job does not exist, or the job's TTL or retention has passed. */
  | { ok: false; kind: "not_found"; status: 404; message: string }
  /** 429: too many requests; `retryAfterMs` is RunPod's Retry-After, when it sent one. */
  | { ok: false; kind: "rate_limited"; status: 429; retryAfterMs: number | null; message: string }
  /** 5xx: RunPod failed. */
  | { ok: false; kind: "server_error"; status: number; message: string }
  /** Any other status, such as 400 for a body RunPod rejects. */
  | { ok: false; kind: "unexpected_status"; status: number; message: string }
  /** A 200 whose body is not the JSON object the route returns. */
  | { ok: false; kind: "invalid_response"; status: number; message: string }
  | { ok: false; kind: "timeout"; message: string }
  | { ok: false; kind: "network"; message: string };

export type RunpodResult<T> = { ok: true; status: number; body: T } | RunpodFailure;

/**
 * A `run` or `runsync` result. RunPod's response is passed through unchanged: `body` on
 * success, and `response` on a failure that came with an HTTP status.
 */
export type ForwardResult =
  | { ok: true; status: number; body: ForwardedResponse }
  | (RunpodFailure & { response?: ForwardedResponse });

/** RunPod's `/health` body: endpoint-wide job and worker counts. */
export interface RunpodHealth {
  jobs: { inQueue?: number; inProgress?: number; completed?: number; failed?: number };
  workers: { running?: number; idle?: number; [name: string]: number | undefined };
}

/** The status object of `/status/<job_id>`: `id`, `status`, times, `output`, `error`, .... */
export type RunpodStatusObject = Record<string, unknown> & { id: string; status: string };

/** `run` and `runsync` results: RunPod's status and body as RunPod sent them. */
export interface ForwardedResponse {
  status: number;
  contentType: string | null;
  body: string;
}

export interface RunpodClientOptions {
  apiKey: string;
  /** Default: CHIRP_RUNPOD_BASE_URL, or https://api.runpod.ai. */
  baseUrl?: string;
  /** Time allowed for one request, in ms. Default: CHIRP_RUNPOD_TIMEOUT_MS. */
  timeoutMs?: number;
}

/** The longest Retry-After honoured, so that a wrong header cannot stop polling for days. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Reads Retry-After in its two forms (RFC 9110): whole seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return null;
    ms = Math.max(0, date - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === "string" && text !== "") return text.slice(0, 300);
  } catch {
    // Not JSON: use the start of the body.
  }
  return body.trim().slice(0, 300);
}

/** Describes a failure for people: what RunPod returned and what it means. */
export function describeFailure(failure: RunpodFailure): string {
  switch (failure.kind) {
    case "unauthorized":
      return `RunPod rejected the API key (${failure.status}): check that the key is current and has access to the endpoint.`;
    case "not_found":
      return `RunPod returned 404 Not Found: the endpoint id is wrong, or the job's TTL or retention has passed.`;
    case "rate_limited":
      return `RunPod returned 429 Too Many Requests${failure.retryAfterMs === null ? "" : `; retry after ${Math.ceil(failure.retryAfterMs / 1000)} s`}.`;
    case "server_error":
      return `RunPod failed with ${failure.status}${failure.message ? ` (${failure.message})` : ""}; try again later.`;
    case "unexpected_status":
      return `RunPod returned ${failure.status}${failure.message ? ` (${failure.message})` : ""}.`;
    case "invalid_response":
      return `RunPod returned ${failure.status} with a body Chirp cannot read: ${failure.message}`;
    case "timeout":
    case "network":
      return failure.message;
  }
}

function failureFor(status: number, headers: Headers, body: string): RunpodFailure {
  const message = errorText(body);
  if (status === 401 || status === 403) return { ok: false, kind: "unauthorized", status, message };
  if (status === 404) return { ok: false, kind: "not_found", status, message };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers.get("retry-after"));
    return { ok: false, kind: "rate_limited", status, retryAfterMs, message };
  }
  if (status >= 500) return { ok: false, kind: "server_error", status, message };
  return { ok: false, kind: "unexpected_status", status, message };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class RunpodClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: RunpodClientOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? runpodBaseUrl()).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? runpodRequestTimeoutMs();
  }

  /** `POST /v2/<endpoint_id>/run`: forwards `body` and returns RunPod's response unchanged. */
  run(endpointId: string, body: string): Promise<ForwardResult> {
    return this.forward(`${this.endpointPath(endpointId)}/run`, body);
  }

  /**
   * `POST /v2/<endpoint_id>/runsync`: forwards `body` and returns RunPod's response
   * unchanged. RunPod keeps the request open until the job ends or its wait passes, so the
   * timeout should exceed `waitMs`.
   */
  runsync(
    endpointId: string,
    body: string,
    { waitMs }: { waitMs?: number } = {},
  ): Promise<ForwardResult> {
    const query = waitMs === undefined ? "" : `?wait=${waitMs}`;
    return this.forward(`${this.endpointPath(endpointId)}/runsync${query}`, body);
  }

  /** `GET /v2/<endpoint_id>/status/<job_id>`: the job's status object. */
  async status(endpointId: string, jobId: string): Promise<RunpodResult<RunpodStatusObject>> {
    const path = `${this.endpointPath(endpointId)}/status/${encodeURIComponent(jobId)}`;
    const result = await this.getJson(path);
    if (!result.ok) return result;
    const { body } = result;
    if (typeof body.status !== "string" || typeof body.id !== "string") {
      return {
        ok: false,
        kind: "invalid_response",
        status: result.status,
        message: 'the status object has no "id" and "status" strings.',
      };
    }
    return { ok: true, status: result.status, body: body as RunpodStatusObject };
  }

  /** `GET /v2/<endpoint_id>/health`: endpoint-wide job and worker counts. */
  async health(endpointId: string): Promise<RunpodResult<RunpodHealth>> {
    const result = await this.getJson(`${this.endpointPath(endpointId)}/health`);
    if (!result.ok) return result;
    const { body } = result;
    if (!isPlainObject(body.jobs) || !isPlainObject(body.workers)) {
      return {
        ok: false,
        kind: "invalid_response",
        status: result.status,
        message: 'the health body has no "jobs" and "workers" objects.',
      };
    }
    return { ok: true, status: result.status, body: body as unknown as RunpodHealth };
  }

  private endpointPath(endpointId: string): string {
    return `/v2/${encodeURIComponent(endpointId)}`;
  }

  private async forward(path: string, body: string): Promise<ForwardResult> {
    const response = await this.request("POST", path, body);
    if (!response.ok) return response;
    const forwarded = {
      status: response.status,
      contentType: response.headers.get("content-type"),
      body: response.text,
    };
    if (response.status < 200 || response.status >= 300) {
      return {
        ...failureFor(response.status, response.headers, response.text),
        response: forwarded,
      };
    }
    return { ok: true, status: response.status, body: forwarded };
  }

  private async getJson(path: string): Promise<RunpodResult<Record<string, unknown>>> {
    const response = await this.request("GET", path);
    if (!response.ok) return response;
    if (response.status < 200 || response.status >= 300) {
      return failureFor(response.status, response.headers, response.text);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.text);
    } catch (error) {
      return {
        ok: false,
        kind: "invalid_response",
        status: response.status,
        message: `not JSON (${(error as Error).message}).`,
      };
    }
    if (!isPlainObject(parsed)) {
      return {
        ok: false,
        kind: "invalid_response",
        status: response.status,
        message: "not a JSON object.",
      };
    }
    return { ok: true, status: response.status, body: parsed };
  }

  /**
   * Sends one request. Returns the raw response for any status, so `run` can pass
   * RunPod's response through unchanged, or a timeout or network failure.
   */
  private async request(
    method: "GET" | "POST",
    path: string,
    body?: string,
  ): Promise<
    | { ok: true; status: number; headers: Headers; text: string }
    | Extract<RunpodFailure, { kind: "timeout" | "network" }>
  > {
    const url = `${this.baseUrl}${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.apiKey}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body,
        signal: timeout,
        redirect: "error",
      });
      const text = await response.text();
      return { ok: true, status: response.status, headers: response.headers, text };
    } catch (error) {
      if (timeout.aborted) {
        return {
          ok: false,
          kind: "timeout",
          message: `RunPod did not respond to ${method} ${path} within ${this.timeoutMs} ms.`,
        };
      }
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason =
        cause instanceof Error
          ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
          : String(cause);
      return {
        ok: false,
        kind: "network",
        message: `Could not reach RunPod at ${this.baseUrl} (${reason}).`,
      };
    }
  }
}
