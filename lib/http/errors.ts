import { logger } from "@/lib/log";

/**
 * Every error the HTTP API returns, with its status. The code is stable for clients;
 * the message is for people and tells them what to do next.
 */
export const errorStatuses = {
  missing_key: 401,
  invalid_key: 401,
  wrong_key_kind: 401,
  revoked_key: 401,
  expired_key: 401,
  rerolled_key: 401,
  unauthorized: 401,
  // A dashboard session signed out by a password change, a GitHub disconnect or "Sign out
  // other sessions" in another browser.
  session_ended: 401,
  empty_body: 400,
  invalid_json: 400,
  invalid_body: 400,
  missing_job_id: 400,
  invalid_job_id: 400,
  not_found: 404,
  key_not_active: 409,
  method_not_allowed: 405,
  not_replayable: 409,
  // A duplicate group that is already merged or dismissed, and a merge that can no
  // longer be undone.
  group_not_open: 409,
  merge_not_undoable: 409,
  body_too_large: 413,
  invalid_fields: 422,
  rate_limited: 429,
  internal_error: 500,
  database_unavailable: 503,
  // Outcomes of the RunPod submit proxy. The RunPod codes default to these statuses, and a
  // RunpodProxyError passes on the status RunPod returned instead.
  runpod_not_connected: 409,
  runpod_key_unreadable: 409,
  runpod_unauthorized: 401,
  runpod_not_found: 404,
  runpod_rate_limited: 429,
  runpod_rejected: 400,
  runpod_unavailable: 502,
  runpod_timeout: 504,
  runpod_unreachable: 502,
} as const;

export type ErrorCode = keyof typeof errorStatuses;

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  override name = "ApiError";
  /** Headers sent with the error response, such as `Retry-After`. */
  headers?: Record<string, string>;

  readonly code: ErrorCode;
  readonly fields?: FieldProblem[];

  constructor(code: ErrorCode, message: string, fields?: FieldProblem[]) {
    // An ApiError is a response to the client, never logged with a stack, and capturing one
    // in Next's deep async call chains was the largest cost of rejecting a forged key.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.fields = fields;
  }

  get status(): number {
    return errorStatuses[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; fields?: FieldProblem[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields ? { fields: this.fields } : {}),
      },
    };
  }
}

// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS = "5";

/** Builds the error body's response, with the error's own headers and then `headers`. */
export function errorResponse(error: ApiError, headers?: Record<string, string>): Response {
  const responseHeaders: Record<string, string> = { ...error.headers, ...headers };
  if (error.status === 503 && responseHeaders["Retry-After"] === undefined) {
    responseHeaders["Retry-After"] = RETRY_AFTER_SECONDS;
  }
  return Response.json(error.toBody(), { status: error.status, headers: responseHeaders });
}

// Error codes node-postgres, the Neon driver and Node's sockets report when the database
// cannot be reached (connection refused, reset, DNS, admin shutdown, too many clients),
// and 57014, a statement cancelled by the pool's statement timeout. A client whose
// connection dropped mid-transaction fails its next query (drizzle's rollback) with "not
// queryable".
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
  "57014",
  "57P01",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08006",
]);

export function isDatabaseUnreachable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
    if (
      /Connection terminated|connect ECONNREFUSED|WebSocket|timeout exceeded when trying to connect|not queryable/i.test(
        current.message,
      )
    )
      return true;
  }
  return false;
}

/**
 * Turns anything a handler throws into the one error body. ApiErrors are the client's
 * fault and pass through; an unreachable database is 503 so senders retry; anything
 * else is our bug, logged with its stack and returned as 500.
 */
export function toApiError(error: unknown, context: Record<string, unknown>): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnreachable(error)) {
    logger.error({ err: error, ...context }, "database unreachable");
    return new ApiError(
      "database_unavailable",
      "The database is unreachable; retry in a few seconds.",
    );
  }
  logger.error({ err: error, ...context }, "request failed");
  return new ApiError(
    "internal_error",
    "Chirp failed to handle this request; the error is logged on the server.",
  );
}
