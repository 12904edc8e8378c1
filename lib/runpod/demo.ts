import { setTimeout as delay } from "node:timers/promises";
import { format } from "node:util";
import {
  apiKeyProblem,
  chirpErrorOf,
  closedCardsReport,
  closingSummary,
  DemoSetupError,
  describeResponse,
  isDemoConnection,
  keyRejected,
  pingProblem,
  type StillOpenCard,
  savedConnectionOf,
  savedConnectionProblem,
} from "./demo-checks";
import {
  DEMO_CONNECTION_ENDPOINT,
  DEMO_JOBS,
  DEMO_RUNPOD_API_KEY,
  type DemoConfig,
  type DemoJob,
} from "./demo-config";
import { type RunpodSimulator, redactUrl } from "./simulator";
import { isTerminal, stateForStatus } from "./status";

/**
 * The run behind `npm run demo` (demo-cli.ts): opens live cards for eight jobs in a
 * running Chirp and closes them through RunPod webhooks, using an in-process RunPod
 * simulator in place of RunPod. One job's card is opened under the script's run name
 * instead of the job id, so the job gets two cards for the Duplicates page to merge. The
 * last job's webhook is lost, and Chirp's watchdog closes its card. That job runs only
 * with CHIRP_SIMULATOR_PORT set: the demo then saves a RunPod connection for its account,
 * which works when Chirp's CHIRP_RUNPOD_BASE_URL points at this simulator. It never
 * replaces a connection that it did not save itself.
 *
 * Each job follows the integration flow: submit to RunPod `/run` with Chirp's webhook URL,
 * open the card with `POST /v1/activity/start`, send `activity/update` calls while the
 * job is queued or running, and let the webhook close the card. When the run fails or is
 * interrupted, the demo ends each card that it opened and did not see close, as cancelled,
 * so that no card of a failed run stays open.
 */

/** Destination of the demo's progress lines and error messages. */
export interface DemoOutput {
  log: (text: string) => void;
  error: (text: string) => void;
}

interface DemoResult {
  jobName: string;
  finalStatus: string | undefined;
  /** Status code of Chirp's response to the last webhook attempt. */
  webhookStatusCode: number | undefined;
  webhookAttempts: number;
  delivered: boolean;
  /** For a job whose webhook is lost: the state in which the watchdog closed its card. */
  closedByWatchdog?: string;
}

const POLL_INTERVAL_MS = 500;
/** Time after which the demo stops waiting. Every job normally settles within about 25 s. */
const DEMO_TIMEOUT_MS = 90_000;
const CHIRP_TIMEOUT_MS = 10_000;

interface ChirpResponse {
  statusCode: number;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  body: unknown;
}

/** Raised when Chirp cannot be reached at all, which ends the demo. */
class ChirpUnreachableError extends Error {
  constructor(
    message: string,
    /** No full response came in time, although the request may have reached Chirp. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** Raised at the first webhook that Chirp rejected for CHIRP_WEBHOOK_KEY. */
class WebhookKeyRejectedError extends DemoSetupError {}

/** Raised in every job when the demo is interrupted. */
class DemoInterruptedError extends Error {}

class DemoRun {
  private readonly startedAt = Date.now();
  private readonly deadline = this.startedAt + DEMO_TIMEOUT_MS;
  /** Aborted with the error that stops the run, which every job then raises at its next step. */
  private readonly stopController = new AbortController();
  /** The activity id, when Chirp returned one, of each card that `activity/start` opened, by key. */
  private readonly openedCards = new Map<string, string | undefined>();
  /** Keys of opened cards that the demo saw close, through a webhook or the watchdog. */
  private readonly closedCards = new Set<string>();

  constructor(
    private readonly config: DemoConfig,
    private readonly simulator: RunpodSimulator,
    /** Count of 200 responses to `/status` requests per job id, from the demo and from Chirp's watchdog. */
    private readonly statusPolls: ReadonlyMap<string, number>,
    private readonly output: DemoOutput,
    private readonly chirpTimeoutMs: number,
  ) {}

  private print(jobName: string, message: string): void {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1).padStart(5);
    this.output.log(`[${seconds}s] ${jobName.padEnd(28)} ${message}`);
  }

  /** Stops every job at its next step with `reason`. A later call keeps the first reason. */
  stop(reason: unknown): void {
    if (!this.stopController.signal.aborted) this.stopController.abort(reason);
  }

  /** Raises the reason the run was stopped, if it was. */
  throwIfStopped(): void {
    this.stopController.signal.throwIfAborted();
  }

  /** Waits `ms`, and raises the stop reason when the run stops before or during the wait. */
  private async pause(ms: number): Promise<void> {
    // The delay rejects only when the run stops, and throwIfStopped raises the reason then.
    await delay(ms, undefined, { signal: this.stopController.signal }).catch(() => undefined);
    this.throwIfStopped();
  }

  private get webhookUrl(): string {
    return `${this.config.chirpUrl}/v1/webhooks/runpod?key=${encodeURIComponent(this.config.webhookKey)}`;
  }

  /** Replaces both keys in text that comes back from Chirp, so no key reaches the terminal. */
  private hideKeys(text: string): string {
    return text.replaceAll(this.config.apiKey, "***").replaceAll(this.config.webhookKey, "***");
  }

  private describeChirpResponse(statusCode: number, text: string): string {
    return this.hideKeys(describeResponse(statusCode, text));
  }

  /**
   * Sends one request to Chirp with the API key. Raises ChirpUnreachableError when no
   * response arrives, so every step that first fails to reach Chirp ends the demo the same way.
   */
  private async fetchChirp(
    method: "GET" | "POST" | "PUT",
    path: string,
    payload?: unknown,
  ): Promise<ChirpResponse> {
    const url = `${this.config.chirpUrl}${path}`;
    let statusCode: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.config.apiKey}`,
          ...(payload === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(this.chirpTimeoutMs),
      });
      statusCode = response.status;
      // The timeout covers reading the body too, so a slow body raises here as well.
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") {
        throw new ChirpUnreachableError(
          `${method} ${url} timed out after ${this.chirpTimeoutMs} ms.`,
          true,
        );
      }
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason =
        cause instanceof Error
          ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
          : String(cause);
      throw new ChirpUnreachableError(`${method} ${url} failed (${reason}).`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { statusCode, text, body };
  }

  private callChirp(path: string, data: Record<string, unknown>): Promise<ChirpResponse> {
    return this.fetchChirp("POST", path, { schema_id: "@runpod", data });
  }

  /**
   * Checks, before any job starts, that CHIRP_BASE_URL points at Chirp and that Chirp
   * accepts CHIRP_API_KEY. Raises DemoSetupError with the fix otherwise.
   */
  async checkChirp(): Promise<void> {
    const ping = await this.fetchChirp("GET", "/v1/ping");
    const notChirp = pingProblem(this.config.chirpUrl, ping.statusCode, ping.text);
    if (notChirp !== undefined) throw new DemoSetupError(this.hideKeys(notChirp));

    const connection = await this.fetchChirp("GET", "/v1/runpod-connection");
    const badKey = apiKeyProblem(this.config.chirpUrl, connection.statusCode, connection.text);
    if (badKey !== undefined) throw new DemoSetupError(this.hideKeys(badKey));
  }

  private async callSimulator(method: "GET" | "POST", path: string, body?: unknown) {
    const response = await fetch(`${this.simulator.url}${path}`, {
      method,
      headers: { Authorization: "Bearer demo", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      statusCode: response.status,
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  async run(job: DemoJob): Promise<DemoResult> {
    const result: DemoResult = {
      jobName: job.jobName,
      finalStatus: undefined,
      webhookStatusCode: undefined,
      webhookAttempts: 0,
      delivered: false,
    };
    await this.pause(job.submitAfterMs);

    const submitted = await this.callSimulator("POST", `/v2/${job.endpointId}/run`, {
      input: { prompt: job.prompt, simulate: job.simulate },
      webhook: this.webhookUrl,
      ...(job.policy === undefined ? {} : { policy: job.policy }),
    });
    if (submitted.statusCode !== 200) {
      this.print(
        job.jobName,
        `RunPod rejected the job: ${submitted.statusCode} ${String(submitted.body.error)}`,
      );
      return result;
    }
    const jobId = String(submitted.body.id);
    this.print(
      job.jobName,
      `submitted to endpoint ${job.endpointId} as job ${jobId}, webhook ${redactUrl(this.webhookUrl)}`,
    );

    const cardKey = job.cardKey ?? jobId;
    // A card opened after the run stopped would stay open, so no start goes out then.
    this.throwIfStopped();
    let start: ChirpResponse;
    try {
      start = await this.callChirp("/v1/activity/start", {
        key: cardKey,
        jobName: job.jobName,
        endpoint: job.endpointId,
        ...(job.policy === undefined ? {} : { policy: job.policy }),
      });
    } catch (error) {
      // Chirp may have opened the card before the response timed out, so the run counts
      // the card as opened and ends it when the run stops.
      if (error instanceof ChirpUnreachableError && error.timedOut) {
        this.openedCards.set(cardKey, undefined);
      }
      throw error;
    }
    if (start.statusCode === 200 || start.statusCode === 201) {
      const activity = (start.body as { activity?: { id?: unknown; state?: unknown } } | undefined)
        ?.activity;
      this.openedCards.set(cardKey, typeof activity?.id === "string" ? activity.id : undefined);
      this.print(
        job.jobName,
        `card opened (${start.statusCode}, activity ${String(activity?.id)}, state ${String(activity?.state)})`,
      );
    } else {
      this.print(
        job.jobName,
        `card not opened, Chirp responded ${this.describeChirpResponse(start.statusCode, start.text)}`,
      );
    }

    result.finalStatus = await this.followJob(job, jobId, cardKey);
    await this.followWebhook(job, jobId, result);
    // A delivered webhook closes the card under the job id, which is the demo's own card
    // unless the demo opened it under a run name.
    if (result.delivered && job.cardKey === undefined) this.closedCards.add(cardKey);
    if (job.cardKey) {
      this.print(
        job.jobName,
        `the card was opened under "${job.cardKey}", not the job id, so the webhook opened a second card; merge them on the Duplicates page`,
      );
    }
    if (job.closedByWatchdog) {
      result.closedByWatchdog = await this.waitForWatchdog(job, jobId, result.finalStatus);
      if (result.closedByWatchdog !== undefined) this.closedCards.add(cardKey);
    }
    return result;
  }

  /**
   * Runs every job at once and returns their results. When one job fails, stops the others
   * and waits for them before raising its error, so no card opens after the failure.
   */
  async runJobs(jobs: DemoJob[]): Promise<DemoResult[]> {
    const runs = jobs.map((job) => this.run(job));
    try {
      return await Promise.all(runs);
    } catch (error) {
      this.stop(error);
      await Promise.allSettled(runs);
      throw error;
    }
  }

  /**
   * Ends every card that this run opened and did not see close, as cancelled with `reason`
   * as the card's message. Returns the report of what closed and what stays open, or
   * undefined when no card was left open.
   */
  async closeOpenCards(reason: string): Promise<string | undefined> {
    const keys = [...this.openedCards.keys()].filter((key) => !this.closedCards.has(key));
    if (keys.length === 0) return undefined;

    const problems = await Promise.all(keys.map((key) => this.endCard(key, reason)));
    const closedKeys = keys.filter((_key, index) => problems[index] === undefined);
    const stillOpen: StillOpenCard[] = [];
    keys.forEach((key, index) => {
      const problem = problems[index];
      if (problem !== undefined) {
        stillOpen.push({ key, activityId: this.openedCards.get(key), problem });
      }
    });
    return closedCardsReport(this.config.chirpUrl, closedKeys, stillOpen);
  }

  /** Sends `activity/end` for one card, and returns why it failed, or undefined once the card closed. */
  private async endCard(key: string, reason: string): Promise<string | undefined> {
    let response: ChirpResponse;
    try {
      response = await this.callChirp("/v1/activity/end", {
        key,
        status: "CANCELLED",
        error: reason,
      });
    } catch (error) {
      if (error instanceof ChirpUnreachableError) return error.message;
      throw error;
    }
    if (response.statusCode !== 200 && response.statusCode !== 201) {
      return this.describeChirpResponse(response.statusCode, response.text);
    }
    this.closedCards.add(key);
    return undefined;
  }

  /**
   * Saves a RunPod connection for the demo's account, so Chirp's watchdog can poll this
   * simulator. Returns the reason when Chirp could not save it. Raises DemoSetupError,
   * and changes nothing, when the account has a connection that the demo did not save.
   */
  async connectRunpod(): Promise<string | undefined> {
    const saved = await this.fetchChirp("GET", "/v1/runpod-connection");
    if (saved.statusCode === 200) {
      const connection = savedConnectionOf(saved.body);
      if (connection === undefined) {
        return `GET /v1/runpod-connection returned ${this.describeChirpResponse(saved.statusCode, saved.text)}`;
      }
      if (!isDemoConnection(connection)) {
        throw new DemoSetupError(savedConnectionProblem(this.config.chirpUrl, connection));
      }
      this.output.log(
        "The account's RunPod connection is the one an earlier demo run saved, so the demo saves it again.",
      );
    } else if (saved.statusCode !== 404 || chirpErrorOf(saved.text)?.code !== "not_found") {
      return `GET /v1/runpod-connection returned ${this.describeChirpResponse(saved.statusCode, saved.text)}`;
    }

    const response = await this.fetchChirp("PUT", "/v1/runpod-connection", {
      apiKey: DEMO_RUNPOD_API_KEY,
      endpointId: DEMO_CONNECTION_ENDPOINT,
    });
    if (response.statusCode === 200) return undefined;
    return this.describeChirpResponse(response.statusCode, response.text);
  }

  /**
   * Waits until Chirp's watchdog reads the job's final status from the simulator. The demo
   * stops polling `/status` once the job is finished, so a later poll comes from the
   * watchdog. Returns the state that status closes the card in, or undefined when no poll
   * came before the demo's deadline.
   *
   * NOTE: the activity API has no read-only route, and every call adds an event to the
   * card's timeline, so the demo infers the closing from the watchdog's poll instead of
   * reading the card.
   */
  private async waitForWatchdog(
    job: DemoJob,
    jobId: string,
    finalStatus: string | undefined,
  ): Promise<string | undefined> {
    this.print(job.jobName, "waiting for Chirp's watchdog to poll RunPod and close the card");
    const demoPolls = this.statusPolls.get(jobId) ?? 0;
    while (Date.now() < this.deadline) {
      if ((this.statusPolls.get(jobId) ?? 0) > demoPolls) {
        const state = finalStatus === undefined ? undefined : stateForStatus(finalStatus);
        this.print(
          job.jobName,
          `the watchdog read RunPod status ${finalStatus} from the simulator and closes the card as ${state}`,
        );
        return state ?? undefined;
      }
      await this.pause(500);
    }
    this.print(job.jobName, "the watchdog did not poll RunPod before the demo timed out");
    return undefined;
  }

  /** Polls RunPod's status route, sends card updates on each change, and returns the final status. */
  private async followJob(
    job: DemoJob,
    jobId: string,
    cardKey: string,
  ): Promise<string | undefined> {
    let previous: string | undefined;
    let previousQueuePosition: number | undefined;
    let runningSince: number | undefined;
    let cancelled = false;

    while (Date.now() < this.deadline) {
      const status = await this.callSimulator("GET", `/v2/${job.endpointId}/status/${jobId}`);
      if (status.statusCode === 404) {
        this.print(job.jobName, "RunPod no longer knows the job (TTL or retention passed)");
        return undefined;
      }
      const current = String(status.body.status);
      if (current === "IN_QUEUE") {
        const queuePosition = await this.queuePosition(job);
        if (current !== previous || queuePosition !== previousQueuePosition) {
          await this.updateCard(
            job,
            cardKey,
            { queuePosition },
            `RunPod status IN_QUEUE, queue position ${queuePosition}`,
          );
        }
        previousQueuePosition = queuePosition;
      } else if (current !== previous) {
        previousQueuePosition = undefined;
        await this.reportStatus(job, cardKey, current);
      }
      if (current !== previous) {
        previous = current;
        runningSince = current === "IN_PROGRESS" ? Date.now() : undefined;
      }
      const state = stateForStatus(current);
      if (state && isTerminal(state)) return current;

      const cancelAfter = job.cancelAfterRunningMs;
      if (
        !cancelled &&
        cancelAfter !== undefined &&
        runningSince !== undefined &&
        Date.now() - runningSince >= cancelAfter
      ) {
        cancelled = true;
        const cancel = await this.callSimulator("POST", `/v2/${job.endpointId}/cancel/${jobId}`);
        this.print(
          job.jobName,
          `cancel sent to RunPod, which returned ${cancel.statusCode} ${String(cancel.body.status)}`,
        );
      }
      await this.pause(POLL_INTERVAL_MS);
    }
    this.print(job.jobName, `still ${previous} after ${DEMO_TIMEOUT_MS / 1000} s, giving up`);
    return previous;
  }

  /**
   * Reads the endpoint's queue length, which the demo sends as the job's queue position,
   * because /health returns only endpoint-wide counts.
   */
  private async queuePosition(job: DemoJob): Promise<number> {
    const health = await this.callSimulator("GET", `/v2/${job.endpointId}/health`);
    return Number((health.body.jobs as { inQueue?: unknown } | undefined)?.inQueue ?? 1);
  }

  /** Reports a status other than IN_QUEUE: an update while running, a line for a final status. */
  private async reportStatus(job: DemoJob, cardKey: string, status: string): Promise<void> {
    if (status === "IN_PROGRESS") {
      await this.updateCard(
        job,
        cardKey,
        { gpuType: job.gpuType },
        `RunPod status IN_PROGRESS on ${job.gpuType}`,
      );
    } else {
      this.print(job.jobName, `RunPod status ${status}`);
    }
  }

  private async updateCard(
    job: DemoJob,
    cardKey: string,
    fields: Record<string, unknown>,
    message: string,
  ) {
    const update = await this.callChirp("/v1/activity/update", { key: cardKey, ...fields });
    const outcome =
      update.statusCode === 200 || update.statusCode === 201
        ? "card updated"
        : `card not updated, Chirp responded ${this.describeChirpResponse(update.statusCode, update.text)}`;
    this.print(job.jobName, `${message}: ${outcome}`);
  }

  /** Prints each webhook attempt as the simulator records it, until delivery ends. */
  private async followWebhook(job: DemoJob, jobId: string, result: DemoResult): Promise<void> {
    const simulatedJob = this.simulator.jobs.get(jobId);
    if (simulatedJob === undefined) return;
    let printed = 0;

    while (Date.now() < this.deadline) {
      for (const attempt of simulatedJob.webhookAttempts.slice(printed)) {
        printed++;
        const rejection =
          attempt.statusCode === 401 ? chirpErrorOf(attempt.responseBody ?? "") : undefined;
        if (rejection !== undefined) {
          throw new WebhookKeyRejectedError(
            this.hideKeys(keyRejected("CHIRP_WEBHOOK_KEY", this.config.chirpUrl, rejection)),
          );
        }
        if (attempt.dropped) {
          this.print(
            job.jobName,
            `webhook attempt ${attempt.number} dropped by the simulator to imitate a lost delivery`,
          );
        } else if (attempt.statusCode === 200) {
          this.print(
            job.jobName,
            `webhook delivered, Chirp responded 200 (attempt ${attempt.number})`,
          );
        } else if (attempt.statusCode !== undefined) {
          const response = this.describeChirpResponse(
            attempt.statusCode,
            attempt.responseBody ?? "",
          );
          this.print(
            job.jobName,
            `webhook attempt ${attempt.number} rejected, Chirp responded ${response}`,
          );
        } else {
          this.print(job.jobName, `webhook attempt ${attempt.number} failed: ${attempt.error}`);
        }
        result.webhookAttempts = attempt.number;
        result.webhookStatusCode = attempt.statusCode;
      }
      if (
        simulatedJob.webhookDelivery === "delivered" ||
        simulatedJob.webhookDelivery === "failed"
      ) {
        result.delivered = simulatedJob.webhookDelivery === "delivered";
        if (!result.delivered) {
          this.print(
            job.jobName,
            job.closedByWatchdog
              ? "webhook failed after every retry, as planned"
              : "webhook failed after every retry, the card stays open",
          );
        }
        return;
      }
      await this.pause(200);
    }
    this.print(job.jobName, "no webhook result before the demo timed out");
  }
}

/** Returns whether Chirp accepted the job's webhook, or the watchdog closed its card. */
function succeeded(result: DemoResult): boolean {
  return result.delivered || result.closedByWatchdog !== undefined;
}

function printSummary(results: DemoResult[], jobs: DemoJob[], output: DemoOutput): void {
  output.log("\nSummary:");
  for (const result of results) {
    const verdict = succeeded(result) ? "ok  " : "FAIL";
    let webhook =
      result.webhookStatusCode === undefined
        ? "no response from Chirp"
        : `Chirp responded ${result.webhookStatusCode} on attempt ${result.webhookAttempts}`;
    if (result.closedByWatchdog !== undefined) {
      webhook = `webhook lost, the watchdog closed the card as ${result.closedByWatchdog}`;
    } else if (jobs.find((job) => job.jobName === result.jobName)?.closedByWatchdog) {
      webhook = "webhook lost, and the watchdog did not close the card";
    }
    output.log(
      `  ${verdict} ${result.jobName.padEnd(28)} ${String(result.finalStatus).padEnd(10)} ${webhook}`,
    );
  }
}

/** Returns the message for the terminal when `error` stopped the demo. */
function stopMessage(error: unknown): string {
  if (error instanceof DemoInterruptedError) return "\nInterrupted.";
  if (error instanceof DemoSetupError) return `\n${error.message}`;
  if (error instanceof ChirpUnreachableError) {
    return `\nCould not reach Chirp: ${error.message}\nStart Chirp (npm start) or set CHIRP_BASE_URL to where it runs, then run the demo again.`;
  }
  return format("\nThe demo failed:", error);
}

/** Returns the message that the demo leaves on each card it closes after `error` stopped it. */
function stopReason(error: unknown): string {
  if (error instanceof WebhookKeyRejectedError) return "Demo stopped: the webhook key was rejected";
  if (error instanceof DemoSetupError) return "Demo stopped: a setup check failed";
  if (error instanceof ChirpUnreachableError) return "Demo stopped: Chirp did not respond";
  if (error instanceof DemoInterruptedError) return "Demo stopped: interrupted";
  return "Demo stopped by an unexpected error";
}

/**
 * Runs the demo against Chirp with a started simulator and returns the exit code: 0 when
 * every job's card closed as planned, 130 after `interrupt` was aborted, and 1 otherwise.
 * Whatever ends the run early or fails it, the cards it opened and did not see close are
 * ended as cancelled, and the report names any that could not be.
 */
export async function runDemo({
  config,
  simulator,
  statusPolls,
  jobs: allJobs = DEMO_JOBS,
  output,
  interrupt,
  chirpTimeoutMs = CHIRP_TIMEOUT_MS,
}: {
  config: DemoConfig;
  simulator: RunpodSimulator;
  /** Count of 200 responses to `/status` requests per job id, fed from the simulator's log. */
  statusPolls: ReadonlyMap<string, number>;
  jobs?: DemoJob[];
  output: DemoOutput;
  interrupt?: AbortSignal;
  /** Time allowed for each request to Chirp, response body included. */
  chirpTimeoutMs?: number;
}): Promise<number> {
  const demo = new DemoRun(config, simulator, statusPolls, output, chirpTimeoutMs);
  const onInterrupt = () => demo.stop(new DemoInterruptedError("Interrupted."));
  if (interrupt?.aborted) onInterrupt();
  interrupt?.addEventListener("abort", onInterrupt, { once: true });
  try {
    await demo.checkChirp();
    output.log(`RunPod simulator at ${simulator.url}, Chirp at ${config.chirpUrl}.`);
    // Saving a RunPod connection makes Chirp call RunPod's /health. The demo does it only
    // when CHIRP_SIMULATOR_PORT names the port that Chirp's CHIRP_RUNPOD_BASE_URL points
    // at, because otherwise Chirp would call the real RunPod with the demo's made-up key.
    const simulatorPort = new URL(simulator.url).port;
    const connectionProblem =
      config.simulatorPort === 0 ? "CHIRP_SIMULATOR_PORT is not set" : await demo.connectRunpod();
    if (connectionProblem !== undefined) {
      output.log(
        `The job whose webhook is lost is left out, because Chirp's watchdog cannot reach this simulator (${connectionProblem}).\nTo include it, start Chirp with CHIRP_RUNPOD_BASE_URL=http://127.0.0.1:${simulatorPort} and run the demo with CHIRP_SIMULATOR_PORT=${simulatorPort}.\n`,
      );
    } else {
      output.log("Saved a RunPod connection to this simulator, for Chirp's watchdog.\n");
    }
    const jobs = allJobs.filter((job) => connectionProblem === undefined || !job.closedByWatchdog);
    demo.throwIfStopped();
    const submitSeconds = Math.max(0, ...jobs.map((job) => job.submitAfterMs)) / 1000;
    output.log(
      `Submitting ${jobs.length} jobs over ${submitSeconds} s. Watch the cards open and close in Chirp's dashboard.\n`,
    );
    const results = await demo.runJobs(jobs);
    printSummary(results, jobs, output);
    const failures = results.filter((result) => !succeeded(result)).length;
    if (failures === 0) {
      output.log(`\n${closingSummary(jobs)}`);
      return 0;
    }
    output.log(`\n${failures} of ${results.length} cards did not close as expected.`);
    const report = await demo.closeOpenCards("Demo failed: not every job's card closed as planned");
    if (report !== undefined) output.log(report);
    return 1;
  } catch (error) {
    output.error(stopMessage(error));
    const report = await demo.closeOpenCards(stopReason(error));
    if (report !== undefined) output.error(report);
    return error instanceof DemoInterruptedError ? 130 : 1;
  } finally {
    interrupt?.removeEventListener("abort", onInterrupt);
  }
}
