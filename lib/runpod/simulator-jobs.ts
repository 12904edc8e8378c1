import { randomInt, randomUUID } from "node:crypto";
import {
  isTerminalStatus,
  type JobPolicy,
  type JobStatus,
  type RunRequest,
  type Simulation,
  type TerminalStatus,
} from "./simulator-request";
import {
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookJob,
  WebhookSender,
} from "./simulator-webhooks";

/**
 * Job state for the RunPod simulator: the timed walk through the statuses that
 * `input.simulate` scripts, RunPod's status object, TTL and retention, and health counts.
 */

export interface StatusChange {
  readonly status: JobStatus;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** A job as tests see it through `RunpodSimulator.jobs`. Times are epoch milliseconds. */
export interface SimulatedJob {
  readonly id: string;
  readonly endpointId: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly webhook: string | undefined;
  readonly policy: Readonly<JobPolicy>;
  readonly simulation: Readonly<Simulation>;
  /** True for a job submitted through `/runsync`. */
  readonly sync: boolean;
  readonly submittedAt: number;
  readonly status: JobStatus;
  readonly statusHistory: readonly StatusChange[];
  /** Worker of the latest IN_PROGRESS step, absent until the job first starts. */
  readonly workerId: string | undefined;
  readonly completedAt: number | undefined;
  /** Number of IN_PROGRESS to IN_QUEUE transitions, as when a worker crashes. */
  readonly requeueCount: number;
  /**
   * Moment the job's TTL or result retention passed, after which `/status` returns 404.
   * It is filled in when a request or a scheduled step next touches the job.
   */
  readonly expiredAt: number | undefined;
  readonly webhookAttempts: readonly WebhookAttempt[];
  /**
   * Delivery state of the webhook. It is absent while the job runs, when the job has no
   * webhook URL, and when a cancellation sends no webhook.
   */
  readonly webhookDelivery: WebhookDelivery | undefined;
}

export interface HealthCounts {
  jobs: { completed: number; failed: number; inProgress: number; inQueue: number; retried: number };
  workers: {
    idle: number;
    initializing: number;
    ready: number;
    running: number;
    throttled: number;
    unhealthy: number;
  };
}

export interface JobRunnerOptions {
  retentionMs: number;
  runsyncRetentionMs: number;
  webhookOnCancel: boolean;
  webhookRetryDelayMs: number;
  webhookTimeoutMs: number;
  log(line: string): void;
}

interface Step {
  status: JobStatus;
  /**
   * Time spent in this status, or `undefined` to stay until cancelled or expired.
   * A terminal status ends the job, so its duration is unused.
   */
  durationMs: number | undefined;
}

const WORKER_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function createWorkerId(): string {
  let id = "";
  for (let i = 0; i < 14; i++) id += WORKER_ID_ALPHABET[randomInt(WORKER_ID_ALPHABET.length)];
  return id;
}

/**
 * Creates a FAILED error in the shape that runpod-python's `run_job` builds when a handler
 * raises: a `json.dumps` string, which separates items with ", " and keys with ": ".
 */
function createPythonHandlerError(workerId: string | undefined): string {
  const fields: Record<string, string> = {
    error_type: "<class 'ValueError'>",
    error_message: "Simulated handler error",
    error_traceback: "Traceback (most recent call last): ...",
    hostname: workerId === undefined ? "unknown" : `${workerId}-64410`,
    worker_id: workerId ?? "unknown",
    runpod_version: "1.7.0",
  };
  const items = Object.entries(fields).map(
    ([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  return `{${items.join(", ")}}`;
}

/** Plans the steps that follow the initial IN_QUEUE period. */
function planSteps(simulation: Simulation): Step[] {
  const sequence = simulation.statusSequence ?? ["IN_PROGRESS", simulation.outcome];
  return sequence.map((status, index) => {
    const isLast = index === sequence.length - 1;
    if (isTerminalStatus(status)) return { status, durationMs: 0 };
    return { status, durationMs: isLast ? undefined : simulation.runMs };
  });
}

class JobRecord implements SimulatedJob, WebhookJob {
  status: JobStatus = "IN_QUEUE";
  readonly statusHistory: StatusChange[];
  workerId: string | undefined;
  completedAt: number | undefined;
  requeueCount = 0;
  expiredAt: number | undefined;
  readonly webhookAttempts: WebhookAttempt[] = [];
  webhookDelivery: WebhookDelivery | undefined;

  output: unknown;
  error: string | undefined;
  /** Completed IN_QUEUE time, excluding the current phase. */
  queuedMs = 0;
  /** Completed IN_PROGRESS time, excluding the current phase. */
  executedMs = 0;
  phaseStartedAt: number;
  timer: NodeJS.Timeout | undefined;
  readonly steps: Step[];
  readonly waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly endpointId: string,
    readonly input: Record<string, unknown>,
    readonly webhook: string | undefined,
    readonly policy: JobPolicy,
    readonly simulation: Simulation,
    readonly sync: boolean,
    readonly submittedAt: number,
  ) {
    this.phaseStartedAt = submittedAt;
    this.statusHistory = [{ status: "IN_QUEUE", at: submittedAt }];
    this.steps = planSteps(simulation);
  }
}

/** Timers that can all be cleared at once, so a closed simulator leaves nothing running. */
class TimerSet {
  private readonly handles = new Set<NodeJS.Timeout>();
  private closed = false;

  schedule(callback: () => void, delayMs: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      callback();
    }, delayMs);
    this.handles.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    this.handles.delete(handle);
  }

  close(): void {
    this.closed = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}

export class JobRunner {
  private readonly records = new Map<string, JobRecord>();
  private readonly timers = new TimerSet();
  private readonly closeController = new AbortController();
  private readonly webhooks: WebhookSender;

  constructor(private readonly options: JobRunnerOptions) {
    this.webhooks = new WebhookSender({
      retryDelayMs: options.webhookRetryDelayMs,
      timeoutMs: options.webhookTimeoutMs,
      schedule: (callback, delayMs) => {
        this.timers.schedule(callback, delayMs);
      },
      signal: this.closeController.signal,
      log: options.log,
    });
  }

  get jobs(): ReadonlyMap<string, SimulatedJob> {
    return this.records;
  }

  submit(endpointId: string, request: RunRequest, sync: boolean): SimulatedJob {
    const id = `${sync ? "sync-" : ""}${randomUUID()}-u1`;
    const job = new JobRecord(
      id,
      endpointId,
      request.input,
      request.webhook,
      request.policy,
      request.simulation,
      sync,
      Date.now(),
    );
    this.records.set(id, job);
    this.options.log(`job=${id} endpoint=${endpointId} IN_QUEUE`);
    job.timer = this.timers.schedule(() => this.enterStep(job, 0), request.simulation.queueMs);
    return job;
  }

  /** Returns the job unless it is unknown, belongs to another endpoint or has expired. */
  find(endpointId: string, jobId: string): SimulatedJob | undefined {
    const job = this.records.get(jobId);
    if (job === undefined || job.endpointId !== endpointId) return undefined;
    return this.checkExpiry(job, Date.now()) ? undefined : job;
  }

  /** Moves a queued or running job to CANCELLED. Returns false for a job already finished. */
  cancel(job: SimulatedJob): boolean {
    const record = this.record(job);
    if (isTerminalStatus(record.status)) return false;
    this.finish(record, "CANCELLED");
    return true;
  }

  /** Resolves when the job finishes, after `timeoutMs`, or when the simulator closes. */
  waitForTerminal(job: SimulatedJob, timeoutMs: number): Promise<void> {
    const record = this.record(job);
    if (isTerminalStatus(record.status)) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        this.timers.cancel(timer);
        record.waiters.delete(done);
        resolve();
      };
      timer = this.timers.schedule(done, timeoutMs);
      // A closed simulator schedules nothing, so there is nothing to wait for.
      if (timer === undefined) resolve();
      else record.waiters.add(done);
    });
  }

  /** Builds RunPod's status object, which is also the webhook body minus `input` and `webhook`. */
  statusObject(job: SimulatedJob): Record<string, unknown> {
    const record = this.record(job);
    const now = Date.now();
    const currentQueueMs = record.status === "IN_QUEUE" ? now - record.phaseStartedAt : 0;
    const body: Record<string, unknown> = {
      id: record.id,
      status: record.status,
      delayTime: record.queuedMs + currentQueueMs,
    };
    if (isTerminalStatus(record.status) && record.workerId !== undefined) {
      body.executionTime = record.executedMs;
    }
    if (record.workerId !== undefined) body.workerId = record.workerId;
    if (record.output !== undefined) body.output = record.output;
    if (record.error !== undefined) body.error = record.error;
    return body;
  }

  health(endpointId: string): HealthCounts {
    const counts: HealthCounts = {
      jobs: { completed: 0, failed: 0, inProgress: 0, inQueue: 0, retried: 0 },
      workers: { idle: 0, initializing: 0, ready: 0, running: 0, throttled: 0, unhealthy: 0 },
    };
    const now = Date.now();
    for (const job of this.records.values()) {
      if (job.endpointId !== endpointId || this.checkExpiry(job, now)) continue;
      if (job.status === "IN_QUEUE") counts.jobs.inQueue++;
      if (job.status === "IN_PROGRESS") counts.jobs.inProgress++;
      if (job.status === "COMPLETED") counts.jobs.completed++;
      if (job.status === "FAILED" || job.status === "TIMED_OUT") counts.jobs.failed++;
      if (job.requeueCount > 0) counts.jobs.retried++;
    }
    // The simulator has no worker pool, so each running job counts as one running worker.
    counts.workers.running = counts.jobs.inProgress;
    return counts;
  }

  close(): void {
    this.timers.close();
    this.closeController.abort();
    for (const job of this.records.values()) {
      for (const resolve of [...job.waiters]) resolve();
    }
  }

  private record(job: SimulatedJob): JobRecord {
    const record = this.records.get(job.id);
    if (record === undefined) throw new Error(`Job ${job.id} does not belong to this simulator.`);
    return record;
  }

  /**
   * Returns whether the job's TTL or retention has passed. The first call that finds so
   * marks the job expired and stops its scheduled steps.
   */
  private checkExpiry(job: JobRecord, now: number): boolean {
    if (job.expiredAt !== undefined) return true;
    const ttlEnd = job.policy.ttl === undefined ? Infinity : job.submittedAt + job.policy.ttl;
    const retentionMs = job.sync ? this.options.runsyncRetentionMs : this.options.retentionMs;
    const retentionEnd = job.completedAt === undefined ? Infinity : job.completedAt + retentionMs;
    const expiredAt = Math.min(ttlEnd, retentionEnd);
    if (now < expiredAt) return false;

    job.expiredAt = expiredAt;
    this.timers.cancel(job.timer);
    job.timer = undefined;
    for (const resolve of [...job.waiters]) resolve();
    const reason = expiredAt === ttlEnd ? `its ttl of ${job.policy.ttl} ms` : "its retention";
    const stopped = isTerminalStatus(job.status) ? "" : ` while ${job.status}, so no webhook`;
    this.options.log(`job=${job.id} expired after ${reason}${stopped}`);
    return true;
  }

  private enterStep(job: JobRecord, index: number): void {
    job.timer = undefined;
    // NOTE: RunPod does not document what happens to a job whose TTL passes before it
    // finishes. The simulator ends it without a webhook, as a lost job looks to a client.
    if (this.checkExpiry(job, Date.now())) return;
    const step = job.steps[index];
    if (step === undefined) return;
    if (isTerminalStatus(step.status)) {
      this.finish(job, step.status);
      return;
    }

    this.changeStatus(job, step.status);
    const timeout = job.policy.executionTimeout;
    if (step.status === "IN_PROGRESS" && timeout !== undefined) {
      const remainingMs = Math.max(timeout - job.executedMs, 0);
      if (step.durationMs === undefined || step.durationMs > remainingMs) {
        job.timer = this.timers.schedule(() => this.finishOnTimeout(job), remainingMs);
        return;
      }
    }
    if (step.durationMs !== undefined) {
      job.timer = this.timers.schedule(() => this.enterStep(job, index + 1), step.durationMs);
    }
  }

  private finishOnTimeout(job: JobRecord): void {
    job.timer = undefined;
    if (this.checkExpiry(job, Date.now())) return;
    this.finish(job, "TIMED_OUT");
  }

  private changeStatus(job: JobRecord, status: JobStatus): void {
    if (status === job.status) return;
    const now = Date.now();
    const elapsedMs = now - job.phaseStartedAt;
    if (job.status === "IN_QUEUE") job.queuedMs += elapsedMs;
    if (job.status === "IN_PROGRESS") job.executedMs += elapsedMs;
    if (job.status === "IN_PROGRESS" && status === "IN_QUEUE") job.requeueCount++;
    // Each start is a new worker, because RunPod re-queues a job whose worker crashed.
    if (status === "IN_PROGRESS") job.workerId = createWorkerId();

    const previous = job.status;
    job.status = status;
    job.phaseStartedAt = now;
    job.statusHistory.push({ status, at: now });
    const worker = status === "IN_PROGRESS" ? ` worker=${job.workerId}` : "";
    this.options.log(`job=${job.id} ${previous} -> ${status}${worker}`);
  }

  private finish(job: JobRecord, status: TerminalStatus): void {
    this.timers.cancel(job.timer);
    job.timer = undefined;
    this.changeStatus(job, status);
    job.completedAt = job.phaseStartedAt;
    if (status === "COMPLETED") job.output = job.simulation.output;
    if (status === "FAILED") {
      job.error = job.simulation.error ?? createPythonHandlerError(job.workerId);
    }
    for (const resolve of [...job.waiters]) resolve();

    if (job.webhook === undefined) return;
    if (status === "CANCELLED" && !this.options.webhookOnCancel) {
      this.options.log(`job=${job.id} cancelled, webhook skipped because webhookOnCancel is off`);
      return;
    }
    const body = { ...this.statusObject(job), input: job.input, webhook: job.webhook };
    this.webhooks.deliver(job, job.webhook, body, job.simulation.dropWebhooks);
  }
}
