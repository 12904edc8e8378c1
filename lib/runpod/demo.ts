import {
  apiKeyProblem,
  chirpErrorOf,
  closingSummary,
  countStatusPoll,
  DemoSetupError,
  describeResponse,
  keyRejected,
  listenProblem,
  pingProblem,
} from "./demo-checks";
import {
  DEMO_CONNECTION_ENDPOINT,
  DEMO_JOBS,
  type DemoConfig,
  type DemoJob,
  readDemoConfig,
} from "./demo-config";
import { type RunpodSimulator, redactUrl, startRunpodSimulator } from "./simulator";
import { isTerminal, stateForStatus } from "./status";

/**
 * `npm run demo`: opens live cards for eight jobs in a running Chirp and closes them through
 * RunPod webhooks, using an in-process RunPod simulator in place of RunPod. One job's card
 * is opened under the script's run name instead of the job id, so the job gets two cards
 * for the Duplicates page to merge. The last job's webhook is lost, and Chirp's watchdog
 * closes its card. That job runs only with
 * CHIRP_SIMULATOR_PORT set: the demo then saves a RunPod connection for its account,
 * which works when Chirp's CHIRP_RUNPOD_BASE_URL points at this simulator.
 *
 * Each job follows the integration flow: submit to RunPod `/run` with Chirp's webhook URL,
 * open the card with `POST /v1/activity/start`, send `activity/update` calls while the
 * job is queued or running, and let the webhook close the card. Exits 0 when Chirp returned
 * 200 to every job's webhook, 1 otherwise.
 *
 * Environment: CHIRP_API_KEY (chirp_api_...), CHIRP_WEBHOOK_KEY (chirp_wh_...) and
 * CHIRP_BASE_URL (default http://127.0.0.1:3000).
 */

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

/** Raised when Chirp cannot be reached at all, which ends the demo. */
class ChirpUnreachableError extends Error {}

const startedAt = Date.now();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function print(jobName: string, message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
  console.log(`[${seconds}s] ${jobName.padEnd(28)} ${message}`);
}

class DemoRun {
  private readonly deadline = Date.now() + DEMO_TIMEOUT_MS;

  constructor(
    private readonly config: DemoConfig,
    private readonly simulator: RunpodSimulator,
    /** Count of 200 responses to `/status` requests per job id, from the demo and from Chirp's watchdog. */
    private readonly statusPolls: ReadonlyMap<string, number>,
  ) {}

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
  private async fetchChirp(method: "GET" | "POST" | "PUT", path: string, payload?: unknown) {
    const url = `${this.config.chirpUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.config.apiKey}`,
          ...(payload === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(CHIRP_TIMEOUT_MS),
      });
    } catch (error) {
      if (error instanceof Error && error.name === "TimeoutError") {
        throw new ChirpUnreachableError(`${method} ${url} timed out after ${CHIRP_TIMEOUT_MS} ms.`);
      }
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason =
        cause instanceof Error
          ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
          : String(cause);
      throw new ChirpUnreachableError(`${method} ${url} failed (${reason}).`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { statusCode: response.status, text, body };
  }

  private callChirp(path: string, data: Record<string, unknown>) {
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
    await sleep(job.submitAfterMs);

    const submitted = await this.callSimulator("POST", `/v2/${job.endpointId}/run`, {
      input: { prompt: job.prompt, simulate: job.simulate },
      webhook: this.webhookUrl,
      ...(job.policy === undefined ? {} : { policy: job.policy }),
    });
    if (submitted.statusCode !== 200) {
      print(
        job.jobName,
        `RunPod rejected the job: ${submitted.statusCode} ${String(submitted.body.error)}`,
      );
      return result;
    }
    const jobId = String(submitted.body.id);
    print(
      job.jobName,
      `submitted to endpoint ${job.endpointId} as job ${jobId}, webhook ${redactUrl(this.webhookUrl)}`,
    );

    const cardKey = job.cardKey ?? jobId;
    const start = await this.callChirp("/v1/activity/start", {
      key: cardKey,
      jobName: job.jobName,
      endpoint: job.endpointId,
      ...(job.policy === undefined ? {} : { policy: job.policy }),
    });
    if (start.statusCode === 200 || start.statusCode === 201) {
      const activity = (start.body as { activity?: { id?: unknown; state?: unknown } } | undefined)
        ?.activity;
      print(
        job.jobName,
        `card opened (${start.statusCode}, activity ${String(activity?.id)}, state ${String(activity?.state)})`,
      );
    } else {
      print(
        job.jobName,
        `card not opened, Chirp responded ${this.describeChirpResponse(start.statusCode, start.text)}`,
      );
    }

    result.finalStatus = await this.followJob(job, jobId, cardKey);
    await this.followWebhook(job, jobId, result);
    if (job.cardKey) {
      print(
        job.jobName,
        `the card was opened under "${job.cardKey}", not the job id, so the webhook opened a second card; merge them on the Duplicates page`,
      );
    }
    if (job.closedByWatchdog) {
      result.closedByWatchdog = await this.waitForWatchdog(job, jobId, result.finalStatus);
    }
    return result;
  }

  /**
   * Saves a RunPod connection for the demo's account, so Chirp's watchdog can poll this
   * simulator. Returns the reason when Chirp could not save it.
   */
  async connectRunpod(): Promise<string | undefined> {
    const response = await this.fetchChirp("PUT", "/v1/runpod-connection", {
      apiKey: "demo-runpod-key",
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
    print(job.jobName, "waiting for Chirp's watchdog to poll RunPod and close the card");
    const demoPolls = this.statusPolls.get(jobId) ?? 0;
    while (Date.now() < this.deadline) {
      if ((this.statusPolls.get(jobId) ?? 0) > demoPolls) {
        const state = finalStatus === undefined ? undefined : stateForStatus(finalStatus);
        print(
          job.jobName,
          `the watchdog read RunPod status ${finalStatus} from the simulator and closes the card as ${state}`,
        );
        return state ?? undefined;
      }
      await sleep(500);
    }
    print(job.jobName, "the watchdog did not poll RunPod before the demo timed out");
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
        print(job.jobName, "RunPod no longer knows the job (TTL or retention passed)");
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
        print(
          job.jobName,
          `cancel sent to RunPod, which returned ${cancel.statusCode} ${String(cancel.body.status)}`,
        );
      }
      await sleep(POLL_INTERVAL_MS);
    }
    print(job.jobName, `still ${previous} after ${DEMO_TIMEOUT_MS / 1000} s, giving up`);
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
      print(job.jobName, `RunPod status ${status}`);
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
    print(job.jobName, `${message}: ${outcome}`);
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
          throw new DemoSetupError(
            this.hideKeys(keyRejected("CHIRP_WEBHOOK_KEY", this.config.chirpUrl, rejection)),
          );
        }
        if (attempt.dropped) {
          print(
            job.jobName,
            `webhook attempt ${attempt.number} dropped by the simulator to imitate a lost delivery`,
          );
        } else if (attempt.statusCode === 200) {
          print(job.jobName, `webhook delivered, Chirp responded 200 (attempt ${attempt.number})`);
        } else if (attempt.statusCode !== undefined) {
          const response = this.describeChirpResponse(
            attempt.statusCode,
            attempt.responseBody ?? "",
          );
          print(
            job.jobName,
            `webhook attempt ${attempt.number} rejected, Chirp responded ${response}`,
          );
        } else {
          print(job.jobName, `webhook attempt ${attempt.number} failed: ${attempt.error}`);
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
          print(
            job.jobName,
            job.closedByWatchdog
              ? "webhook failed after every retry, as planned"
              : "webhook failed after every retry, the card stays open",
          );
        }
        return;
      }
      await sleep(200);
    }
    print(job.jobName, "no webhook result before the demo timed out");
  }
}

/** Returns whether Chirp accepted the job's webhook, or the watchdog closed its card. */
function succeeded(result: DemoResult): boolean {
  return result.delivered || result.closedByWatchdog !== undefined;
}

function printSummary(results: DemoResult[]): void {
  console.log("\nSummary:");
  for (const result of results) {
    const verdict = succeeded(result) ? "ok  " : "FAIL";
    let webhook =
      result.webhookStatusCode === undefined
        ? "no response from Chirp"
        : `Chirp responded ${result.webhookStatusCode} on attempt ${result.webhookAttempts}`;
    if (result.closedByWatchdog !== undefined) {
      webhook = `webhook lost, the watchdog closed the card as ${result.closedByWatchdog}`;
    } else if (DEMO_JOBS.find((job) => job.jobName === result.jobName)?.closedByWatchdog) {
      webhook = "webhook lost, and the watchdog did not close the card";
    }
    console.log(
      `  ${verdict} ${result.jobName.padEnd(28)} ${String(result.finalStatus).padEnd(10)} ${webhook}`,
    );
  }
}

async function main(): Promise<number> {
  const config = readDemoConfig(process.env);
  if (Array.isArray(config)) {
    console.error(config.join("\n"));
    return 1;
  }

  const statusPolls = new Map<string, number>();
  let simulator: RunpodSimulator;
  try {
    simulator = await startRunpodSimulator({
      host: "127.0.0.1",
      port: config.simulatorPort,
      webhookRetryDelayMs: 2000,
      onLog: (line) => countStatusPoll(statusPolls, line),
    });
  } catch (error) {
    const problem = listenProblem(error, config.simulatorPort);
    if (problem === undefined) throw error;
    console.error(problem);
    return 1;
  }
  const stop = () => {
    console.error("\nInterrupted, closing the RunPod simulator.");
    void simulator.close().then(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const demo = new DemoRun(config, simulator, statusPolls);
  try {
    await demo.checkChirp();
    console.log(`RunPod simulator at ${simulator.url}, Chirp at ${config.chirpUrl}.`);
    // Saving a RunPod connection makes Chirp call RunPod's /health. The demo does it only
    // when CHIRP_SIMULATOR_PORT names the port that Chirp's CHIRP_RUNPOD_BASE_URL points
    // at, because otherwise Chirp would call the real RunPod with the demo's made-up key.
    const simulatorPort = new URL(simulator.url).port;
    const connectionProblem =
      config.simulatorPort === 0 ? "CHIRP_SIMULATOR_PORT is not set" : await demo.connectRunpod();
    if (connectionProblem !== undefined) {
      console.log(
        `The job whose webhook is lost is left out, because Chirp's watchdog cannot reach this simulator (${connectionProblem}).\nTo include it, start Chirp with CHIRP_RUNPOD_BASE_URL=http://127.0.0.1:${simulatorPort} and run the demo with CHIRP_SIMULATOR_PORT=${simulatorPort}.\n`,
      );
    } else {
      console.log("Saved a RunPod connection to this simulator, for Chirp's watchdog.\n");
    }
    const jobs = DEMO_JOBS.filter(
      (job) => connectionProblem === undefined || !job.closedByWatchdog,
    );
    console.log(
      `Submitting ${jobs.length} jobs over 12 s. Watch the cards open and close in Chirp's dashboard.\n`,
    );
    const results = await Promise.all(jobs.map((job) => demo.run(job)));
    printSummary(results);
    const failures = results.filter((result) => !succeeded(result)).length;
    if (failures === 0) {
      console.log(`\n${closingSummary(jobs)}`);
      return 0;
    }
    console.log(`\n${failures} of ${results.length} cards did not close as expected.`);
    return 1;
  } catch (error) {
    if (error instanceof DemoSetupError) {
      console.error(`\n${error.message}`);
      return 1;
    }
    if (!(error instanceof ChirpUnreachableError)) throw error;
    console.error(
      `\nCould not reach Chirp: ${error.message}\nStart Chirp (npm start) or set CHIRP_BASE_URL to where it runs, then run the demo again.`,
    );
    return 1;
  } finally {
    await simulator.close();
  }
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error("The demo failed:", error);
    process.exit(1);
  },
);
