/**
 * Webhook delivery for the RunPod simulator. It imitates the retries that RunPod's
 * serverless docs describe: after a response other than 200, a network error or a
 * timeout, the POST is repeated up to 2 more times, a fixed delay apart (10 s at RunPod).
 */

export const MAX_WEBHOOK_ATTEMPTS = 3;

/** Maximum length of the response body stored on an attempt, in characters. */
const MAX_RECORDED_BODY_CHARS = 2000;

/** One POST to a job's webhook URL, or one attempt that `simulate.dropWebhooks` discarded. */
export interface WebhookAttempt {
  /** Attempt number, starting at 1. */
  readonly number: number;
  /** Epoch milliseconds when the attempt was sent or dropped. */
  readonly at: number;
  /** True when the attempt counted as failed without being sent. */
  readonly dropped: boolean;
  readonly statusCode?: number;
  /** Start of the receiver's response body, at most 2,000 characters. */
  readonly responseBody?: string;
  /** Network error or timeout when no response arrived. */
  readonly error?: string;
  readonly durationMs: number;
}

/** `pending` while attempts remain, then `delivered` (a 200 arrived) or `failed`. */
export type WebhookDelivery = "pending" | "delivered" | "failed";

/** The fields of a job that delivery reads and updates. */
export interface WebhookJob {
  readonly id: string;
  readonly webhookAttempts: WebhookAttempt[];
  webhookDelivery: WebhookDelivery | undefined;
}

export interface WebhookSenderOptions {
  retryDelayMs: number;
  timeoutMs: number;
  /** Runs `callback` after `delayMs` unless the simulator has closed. */
  schedule(callback: () => void, delayMs: number): void;
  /** Aborted when the simulator closes, which also stops pending retries. */
  signal: AbortSignal;
  log(line: string): void;
}

/** Replaces every query parameter value with `***`, because webhook URLs carry keys. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of [...new Set(parsed.searchParams.keys())]) {
      parsed.searchParams.set(name, "***");
    }
    // URLSearchParams encodes `*` as %2A, which is harder to read in a log line.
    return parsed.toString().replaceAll("%2A%2A%2A", "***");
  } catch {
    return "<invalid URL>";
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${code ?? cause.message}`;
  }
  return error.message;
}

export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  /**
   * Starts delivering `body` to `url` for `job` and returns at once. The outcome of each
   * attempt is appended to `job.webhookAttempts`.
   */
  deliver(job: WebhookJob, url: string, body: unknown, dropCount: number): void {
    job.webhookDelivery = "pending";
    this.options.log(`webhook job=${job.id} to ${redactUrl(url)}`);
    void this.attempt(job, url, JSON.stringify(body), dropCount);
  }

  private async attempt(
    job: WebhookJob,
    url: string,
    payload: string,
    dropCount: number,
  ): Promise<void> {
    const number = job.webhookAttempts.length + 1;
    const label = `webhook job=${job.id} attempt ${number}/${MAX_WEBHOOK_ATTEMPTS}`;
    const at = Date.now();

    if (number <= dropCount) {
      job.webhookAttempts.push({ number, at, dropped: true, durationMs: 0 });
      this.options.log(`${label} dropped (simulate.dropWebhooks=${dropCount})`);
      this.retryOrGiveUp(job, url, payload, dropCount);
      return;
    }

    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([this.options.signal, timeout]);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: payload,
        signal,
      });
      const text = await response.text();
      job.webhookAttempts.push({
        number,
        at,
        dropped: false,
        statusCode: response.status,
        responseBody: text.slice(0, MAX_RECORDED_BODY_CHARS),
        durationMs: Date.now() - at,
      });
      this.options.log(`${label} -> ${response.status}`);
      if (response.status === 200) {
        job.webhookDelivery = "delivered";
        return;
      }
    } catch (error) {
      if (this.options.signal.aborted) return;
      const message = timeout.aborted
        ? `timed out after ${this.options.timeoutMs} ms`
        : describeFetchError(error);
      job.webhookAttempts.push({
        number,
        at,
        dropped: false,
        error: message,
        durationMs: Date.now() - at,
      });
      this.options.log(`${label} failed: ${message}`);
    }
    this.retryOrGiveUp(job, url, payload, dropCount);
  }

  private retryOrGiveUp(job: WebhookJob, url: string, payload: string, dropCount: number): void {
    if (job.webhookAttempts.length >= MAX_WEBHOOK_ATTEMPTS) {
      job.webhookDelivery = "failed";
      this.options.log(
        `webhook job=${job.id} failed after ${MAX_WEBHOOK_ATTEMPTS} attempts, no more retries`,
      );
      return;
    }
    this.options.log(`webhook job=${job.id} retrying in ${this.options.retryDelayMs} ms`);
    this.options.schedule(() => {
      void this.attempt(job, url, payload, dropCount);
    }, this.options.retryDelayMs);
  }
}
