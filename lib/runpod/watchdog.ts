import { and, asc, eq, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { changeActivity } from "@/lib/activities/store";
import { type WatchdogSettings, watchdogSettings } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { activities, runpodConnections } from "@/lib/db/schema";
import { logger } from "@/lib/log";
import { ApiKeyDecryptionError } from "./api-key-encryption";
import { describeFailure, RunpodClient } from "./client";
import { markConnectionFailing, readApiKey, setRateLimitedUntil } from "./connection";
import { isTerminal, stateForStatus } from "./status";
import { applyStatusObject, toStatusObject } from "./status-object";

/**
 * The watchdog closes cards whose webhook never came. RunPod gives up on a webhook after
 * 3 failed attempts, and a job whose TTL passes may send none. So for every open card past
 * its deadline whose account has a RunPod connection, the watchdog polls
 * `GET /v2/<endpoint_id>/status/<job_id>` and applies the response like a webhook.
 *
 * Work is shared through the database: a pass claims due cards with
 * `SELECT ... FOR UPDATE SKIP LOCKED` and moves each card's `next_poll_at` forward by its
 * back-off in the same transaction, so any number of processes can run passes and no
 * card is polled twice within one interval. RunPod is called after that transaction
 * commits, so a slow RunPod never holds a row lock that a webhook for the card waits on.
 */

/** The maximum number of cards one pass claims. */
const BATCH_SIZE = 50;
/** Polls in flight at once within a pass. */
const CONCURRENCY = 4;
/** Doublings after which the back-off stops growing; the maximum caps it long before. */
const MAX_DOUBLINGS = 20;

interface DueCard {
  id: string;
  accountId: string;
  key: string;
  endpoint: string;
  pollCount: number;
}

export type PollOutcome =
  | "closed"
  | "refreshed"
  | "unchanged"
  | "expired"
  | "rate_limited"
  | "unauthorized"
  | "failed"
  | "skipped";

export interface PollResult {
  activityId: string;
  accountId: string;
  jobId: string;
  outcome: PollOutcome;
  /** RunPod's status word when RunPod returned a status object. */
  runpodStatus?: string;
  /** The failure's description, for a failed poll. */
  error?: string;
}

export interface WatchdogPassOptions {
  settings?: WatchdogSettings;
  /** Limits the pass to one account's cards. */
  accountId?: string;
}

/**
 * Claims the due cards: open, past `next_poll_at`, with an endpoint, of an account whose
 * connection is neither failing nor rate limited. Each claimed card's next poll moves to
 * now plus its back-off: `backoffSeconds` doubled per earlier poll, at most
 * `maxBackoffSeconds`.
 */
async function claimDueCards(
  settings: WatchdogSettings,
  accountId: string | undefined,
): Promise<DueCard[]> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const due = await tx
      .select({
        id: activities.id,
        accountId: activities.accountId,
        key: activities.key,
        endpoint: activities.endpoint,
        pollCount: activities.pollCount,
      })
      .from(activities)
      .innerJoin(runpodConnections, eq(runpodConnections.accountId, activities.accountId))
      .where(
        and(
          isNull(activities.closedAt),
          lte(activities.nextPollAt, sql`now()`),
          isNotNull(activities.endpoint),
          isNull(runpodConnections.failingSince),
          or(
            isNull(runpodConnections.rateLimitedUntil),
            lte(runpodConnections.rateLimitedUntil, sql`now()`),
          ),
          accountId === undefined ? undefined : eq(activities.accountId, accountId),
        ),
      )
      .orderBy(asc(activities.nextPollAt))
      .limit(BATCH_SIZE)
      .for("update", { of: activities, skipLocked: true });
    if (due.length === 0) return [];

    await tx
      .update(activities)
      .set({
        nextPollAt: sql`now() + least(${settings.backoffSeconds}::double precision * power(2, least(${activities.pollCount}, ${MAX_DOUBLINGS})), ${settings.maxBackoffSeconds}::double precision) * interval '1 second'`,
        pollCount: sql`${activities.pollCount} + 1`,
      })
      .where(
        inArray(
          activities.id,
          due.map((card) => card.id),
        ),
      );
    return due.map((card) => ({ ...card, endpoint: card.endpoint! }));
  });
}

/** State shared by the polls of one pass: API keys, and accounts to leave alone. */
class PassContext {
  private readonly apiKeys = new Map<string, Promise<string | null>>();
  /** Accounts whose key RunPod rejected or that are rate limited, until the given time. */
  readonly blocked = new Map<string, Date | null>();

  constructor(readonly settings: WatchdogSettings) {}

  apiKey(accountId: string): Promise<string | null> {
    let key = this.apiKeys.get(accountId);
    if (!key) {
      key = readApiKey(accountId);
      this.apiKeys.set(accountId, key);
    }
    return key;
  }
}

async function postponeCard(activityId: string, until: Date): Promise<void> {
  const db = await getDb();
  await db.update(activities).set({ nextPollAt: until }).where(eq(activities.id, activityId));
}

/** Polls RunPod for one claimed card and applies what it returns. */
async function pollCard(card: DueCard, context: PassContext): Promise<PollResult> {
  const base = { activityId: card.id, accountId: card.accountId, jobId: card.key };
  const blockedUntil = context.blocked.get(card.accountId);
  if (blockedUntil !== undefined) {
    if (blockedUntil) await postponeCard(card.id, blockedUntil);
    return { ...base, outcome: "skipped" };
  }

  let apiKey: string | null;
  try {
    apiKey = await context.apiKey(card.accountId);
  } catch (error) {
    if (!(error instanceof ApiKeyDecryptionError)) throw error;
    context.blocked.set(card.accountId, null);
    await markConnectionFailing(card.accountId, error.message);
    return { ...base, outcome: "unauthorized" };
  }
  // The connection was removed after the claim.
  if (apiKey === null) return { ...base, outcome: "skipped" };

  const client = new RunpodClient({ apiKey });
  const result = await client.status(card.endpoint, card.key);

  if (result.ok) {
    const status = result.body.status;
    const state = stateForStatus(status);
    let queueCount: number | null = null;
    if (state === "queued") {
      // /health counts the whole endpoint's queue; RunPod reports no per-job position.
      const health = await client.health(card.endpoint);
      if (health.ok && typeof health.body.jobs.inQueue === "number") {
        queueCount = health.body.jobs.inQueue;
      }
    }
    const applied = await applyStatusObject({
      accountId: card.accountId,
      statusObject: toStatusObject(card.key, status, result.body),
      source: "watchdog",
      fields: state === null ? {} : { queueCount },
      detail: { poll: card.pollCount + 1, ...(state === "queued" ? { queueCount } : {}) },
    });
    let outcome: PollOutcome = "unchanged";
    if (applied.changed) {
      outcome = applied.state !== null && isTerminal(applied.state) ? "closed" : "refreshed";
    }
    return { ...base, outcome, runpodStatus: status };
  }

  switch (result.kind) {
    case "not_found":
      // RunPod keeps a /run job's result for 30 minutes and drops a job whose TTL passed,
      // so a 404 means the outcome is gone, not that the job still runs.
      await changeActivity({
        accountId: card.accountId,
        key: card.key,
        type: "expire",
        source: "watchdog",
        state: "expired",
        fields: { queueCount: null },
        createIfMissing: false,
        detail: {
          poll: card.pollCount + 1,
          reason: `RunPod returned 404 for job ${card.key} on endpoint ${card.endpoint}: its TTL or result retention has passed.`,
        },
      });
      return { ...base, outcome: "expired" };
    case "rate_limited": {
      const waitMs = result.retryAfterMs ?? context.settings.backoffSeconds * 1000;
      const until = new Date(Date.now() + waitMs);
      context.blocked.set(card.accountId, until);
      await setRateLimitedUntil(card.accountId, until);
      await postponeCard(card.id, until);
      return { ...base, outcome: "rate_limited" };
    }
    case "unauthorized":
      context.blocked.set(card.accountId, null);
      await markConnectionFailing(card.accountId, describeFailure(result));
      return { ...base, outcome: "unauthorized" };
    default:
      // A RunPod failure, a timeout or a network error: the claim already scheduled the
      // next poll after the back-off.
      return { ...base, outcome: "failed", error: describeFailure(result) };
  }
}

/**
 * Runs one watchdog pass: claims the due cards and polls RunPod for each. Logs one line
 * per poll, with ids and the outcome, never the API key. Returns what each poll did.
 */
export async function runWatchdogPass(options: WatchdogPassOptions = {}): Promise<PollResult[]> {
  const settings = options.settings ?? watchdogSettings();
  const cards = await claimDueCards(settings, options.accountId);
  if (cards.length === 0) return [];
  const context = new PassContext(settings);
  const results: PollResult[] = [];

  // Cards of one account are polled one after another, so that a 429 or 401 stops the
  // account's remaining polls in this pass. Different accounts are polled side by side.
  const byAccount = new Map<string, DueCard[]>();
  for (const card of cards) {
    byAccount.set(card.accountId, [...(byAccount.get(card.accountId) ?? []), card]);
  }
  const queues = [...byAccount.values()];
  const workers = Array.from({ length: Math.min(CONCURRENCY, queues.length) }, async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const card of queue) {
        const result: PollResult = await pollCard(card, context).catch((error: unknown) => {
          logger.error(
            { err: error, activityId: card.id, accountId: card.accountId },
            "watchdog poll failed",
          );
          return {
            activityId: card.id,
            accountId: card.accountId,
            jobId: card.key,
            outcome: "failed" as const,
          };
        });
        logger.info(
          {
            activityId: result.activityId,
            accountId: result.accountId,
            endpointId: card.endpoint,
            jobId: result.jobId,
            outcome: result.outcome,
            runpodStatus: result.runpodStatus,
            error: result.error,
          },
          "watchdog poll",
        );
        results.push(result);
      }
    }
  });
  await Promise.all(workers);
  return results;
}

export interface WatchdogHandle {
  /** Stops the loop after the pass in progress, if any, and resolves when it has ended. */
  stop(): Promise<void>;
}

const globalStore = globalThis as typeof globalThis & { chirpWatchdog?: WatchdogHandle };

/**
 * Starts the watchdog loop in this process: a pass every `tickSeconds`. Only one loop
 * runs per process; a second call returns the running loop's handle.
 */
export function startWatchdog(options: WatchdogPassOptions = {}): WatchdogHandle {
  if (globalStore.chirpWatchdog) return globalStore.chirpWatchdog;
  const settings = options.settings ?? watchdogSettings();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = runWatchdogPass({ ...options, settings })
      .then(
        () => {},
        (error: unknown) => logger.error({ err: error }, "watchdog pass failed"),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, settings.tickSeconds * 1000);
      });
  };
  timer = setTimeout(tick, 0);
  logger.info(
    {
      tickSeconds: settings.tickSeconds,
      afterSeconds: settings.afterSeconds,
      backoffSeconds: settings.backoffSeconds,
      maxBackoffSeconds: settings.maxBackoffSeconds,
    },
    "watchdog started",
  );

  const handle: WatchdogHandle = {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (globalStore.chirpWatchdog === handle) globalStore.chirpWatchdog = undefined;
      logger.info("watchdog stopped");
    },
  };
  globalStore.chirpWatchdog = handle;
  return handle;
}
