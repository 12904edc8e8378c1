import { ApiError, type ErrorCode } from "@/lib/http/errors";
import {
  describeFailure,
  type ForwardedResponse,
  type ForwardResult,
  type RunpodFailure,
} from "./client";

type RunpodErrorBody = ReturnType<ApiError["toBody"]> & {
  error: { runpodResponse?: { status: number; body: unknown } };
};

/**
 * A submit that RunPod rejected or that did not reach RunPod. It carries RunPod's status
 * (504 for a timeout, 502 for a network failure), RunPod's body when it sent one, and
 * RunPod's Retry-After.
 */
export class RunpodProxyError extends ApiError {
  constructor(
    code: ErrorCode,
    message: string,
    private readonly runpodStatus: number | null,
    readonly runpodResponse: ForwardedResponse | undefined,
    retryAfterSeconds: number | null,
  ) {
    super(code, message);
    if (retryAfterSeconds !== null) this.headers = { "Retry-After": String(retryAfterSeconds) };
  }

  override get status(): number {
    return this.runpodStatus ?? super.status;
  }

  override toBody(): RunpodErrorBody {
    const body: RunpodErrorBody = super.toBody();
    if (this.runpodResponse && this.runpodResponse.body !== "") {
      body.error.runpodResponse = {
        status: this.runpodResponse.status,
        body: parseIfJson(this.runpodResponse.body),
      };
    }
    return body;
  }
}

function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const NEXT_STEPS: Record<RunpodFailure["kind"], string> = {
  unauthorized: "Save a current RunPod API key in Settings, then submit again.",
  not_found: "Check the endpoint id in the URL against RunPod's console.",
  rate_limited: "Wait for the time in Retry-After, then submit again.",
  server_error:
    "RunPod may not have queued the job; check RunPod's console before submitting again.",
  unexpected_status: "RunPod did not queue the job; see runpodResponse for its reason.",
  invalid_response:
    "RunPod may have queued the job; check RunPod's console before submitting again.",
  timeout: "RunPod may still have queued the job; check RunPod's console before submitting again.",
  network: "RunPod may not have received the job; check RunPod's console before submitting again.",
};

const CODES: Record<RunpodFailure["kind"], ErrorCode> = {
  unauthorized: "runpod_unauthorized",
  not_found: "runpod_not_found",
  rate_limited: "runpod_rate_limited",
  server_error: "runpod_unavailable",
  unexpected_status: "runpod_rejected",
  invalid_response: "runpod_unavailable",
  timeout: "runpod_timeout",
  network: "runpod_unreachable",
};

/** Explains a failed `run` or `runsync` to the caller in Chirp's error body. */
export function proxyErrorFor(failure: Extract<ForwardResult, { ok: false }>): RunpodProxyError {
  const status = "status" in failure ? failure.status : null;
  const retryAfterSeconds =
    failure.kind === "rate_limited" && failure.retryAfterMs !== null
      ? Math.ceil(failure.retryAfterMs / 1000)
      : null;
  return new RunpodProxyError(
    CODES[failure.kind],
    `${describeFailure(failure)} ${NEXT_STEPS[failure.kind]}`,
    status,
    failure.response,
    retryAfterSeconds,
  );
}
