import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import { watchdogSettings } from "@/lib/config";
import { type Executor, getDb, type Transaction } from "@/lib/db/client";
import {
  type Activity,
  type ActivityEvent,
  type ActivityState,
  activities,
  activityEvents,
  type EventSource,
} from "@/lib/db/schema";
import { findDuplicatesOf } from "@/lib/duplicates/auto-merge";
import { ApiError } from "@/lib/http/errors";
import { newId } from "@/lib/ids";
import { appendEvent } from "@/lib/live/events";
import { isTerminal, nextState } from "@/lib/runpod/status";

export const RUNPOD_SCHEMA = "@runpod";

/** Card fields that change while a card is open and freeze when it closes. */
export type ProgressFields = Partial<
  Pick<
    Activity,
    | "queuePosition"
    | "queueCount"
    | "gpuType"
    | "progress"
    | "errorMessage"
    | "hasOutput"
    | "delayMs"
    | "executionMs"
    | "workerId"
  >
>;

export interface ActivityChange {
  accountId: string;
  schemaId?: string;
  key: string;
  type: ActivityEvent["type"];
  source: EventSource;
  /** The state the sender requests, or null to leave the state as it is. */
  state: ActivityState | null;
  /** RunPod's status word as received, kept on the event even when Chirp does not know it. */
  runpodStatus?: string | null;
  fields?: ProgressFields;
  /** Filled in when the card has none yet, also on a closed card: naming a card does not reopen it. */
  identity?: {
    jobName?: string | null;
    endpoint?: string | null;
    /** The job's `policy.executionTimeout`, which sets the watchdog's first poll. */
    executionTimeoutMs?: number | null;
  };
  /** Creates the card when none exists for the key, already in the requested state. */
  createIfMissing: boolean;
  deliveryId?: string;
  detail?: Record<string, unknown>;
}

export interface ChangeResult {
  activity: Activity;
  event: ActivityEvent;
  created: boolean;
  /** Whether the card's state changed (a new card counts as changed). */
  transitioned: boolean;
}

/** Time from opening a card to the watchdog's first poll: the job's execution timeout, or the default. */
function watchdogDeadlineMs(identity: NonNullable<ActivityChange["identity"]>): number {
  return identity.executionTimeoutMs ?? watchdogSettings().afterSeconds * 1000;
}

/** Writes that commit or roll back with a change, given the card as the change left it. */
export type AlsoWrite = (
  tx: Transaction,
  result: Pick<ChangeResult, "activity" | "created">,
) => Promise<unknown>;

/**
 * Selects the card a key names in one statement: the card with that key, else the card
 * the key attached to, which sorts after it.
 */
function selectCardForKey(executor: Executor, accountId: string, schemaId: string, key: string) {
  return executor
    .select()
    .from(activities)
    .where(
      and(
        eq(activities.accountId, accountId),
        eq(activities.schemaId, schemaId),
        or(eq(activities.key, key), eq(activities.attachedKey, key)),
      ),
    )
    .orderBy(sql`${activities.key} = ${key} desc`)
    .limit(1);
}

// Merges chain when a survivor is merged again later; a chain this long means a bug.
const MAX_MERGE_HOPS = 10;

/**
 * Locks the card a key routes to: the card with that key, else the card the key attached
 * to. A merged card routes on to the card it was merged into, so a late delivery or
 * update for a duplicate lands on the survivor. `from` names the card the key named when
 * that differs from the card returned.
 */
export async function lockCardForKey(
  tx: Transaction,
  accountId: string,
  schemaId: string,
  key: string,
): Promise<{ card: Activity; from?: { id: string; key: string } } | undefined> {
  // Only the returned row is locked.
  let [card] = await selectCardForKey(tx, accountId, schemaId, key).for("update");
  if (!card) return undefined;

  const named = card;
  for (let hop = 0; card.state === "merged" && card.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
    const [survivor] = await tx
      .select()
      .from(activities)
      .where(and(eq(activities.accountId, accountId), eq(activities.id, card.mergedInto)))
      .for("update");
    if (!survivor) break;
    card = survivor;
  }
  return card.id === named.id ? { card } : { card, from: { id: named.id, key: named.key } };
}

/**
 * Applies one change to a card inside the given transaction. Concurrent changes to one
 * card are ordered by the database: the insert resolves races on creation through the
 * unique routing key, and the row lock makes every later change see the one before it.
 * `alsoWrite` runs before the event is appended, because appending takes the account's
 * event lock, which is then held until commit.
 */
export async function applyChange(
  tx: Transaction,
  change: ActivityChange,
  alsoWrite?: AlsoWrite,
): Promise<ChangeResult> {
  const schemaId = change.schemaId ?? RUNPOD_SCHEMA;
  const fields = change.fields ?? {};
  const identity = change.identity ?? {};
  const eventBase = {
    accountId: change.accountId,
    type: change.type,
    source: change.source,
    runpodStatus: change.runpodStatus ?? null,
    deliveryId: change.deliveryId ?? null,
    detail: change.detail ?? {},
  };

  // The existing card is looked up first, because a key that attached to another source's
  // card routes there instead of opening its own, and most changes are to a card that exists.
  let routed = await lockCardForKey(tx, change.accountId, schemaId, change.key);
  if (!routed && change.createIfMissing) {
    const state = change.state ?? "queued";
    const [inserted] = await tx
      .insert(activities)
      .values({
        id: newId("act"),
        accountId: change.accountId,
        schemaId,
        key: change.key,
        jobName: identity.jobName ?? null,
        endpoint: identity.endpoint ?? null,
        state,
        runpodStatus: change.state === null ? null : (change.runpodStatus ?? null),
        ...fields,
        openedBy: change.source,
        closedAt: isTerminal(state) ? sql`now()` : null,
        executionTimeoutMs: identity.executionTimeoutMs ?? null,
        nextPollAt: sql`now() + ${watchdogDeadlineMs(identity)}::double precision * interval '1 millisecond'`,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await alsoWrite?.(tx, { activity: inserted, created: true });
      const event = await appendEvent(tx, {
        ...eventBase,
        activityId: inserted.id,
        stateBefore: null,
        stateAfter: state,
      });
      return { activity: inserted, event, created: true, transitioned: true };
    }
    // A concurrent change opened the card first; this change applies to it.
    routed = await lockCardForKey(tx, change.accountId, schemaId, change.key);
  }
  if (!routed) {
    throw new ApiError(
      "not_found",
      `No activity with key "${change.key}". Open it first with POST /v1/activity/start.`,
    );
  }
  const current = routed.card;
  if (routed.from) {
    eventBase.detail = { ...eventBase.detail, routedFrom: routed.from };
  }

  const state = nextState(current.state, change.state);
  const updates: Partial<typeof activities.$inferInsert> = {};
  if (identity.jobName && current.jobName === null) updates.jobName = identity.jobName;
  if (identity.endpoint && current.endpoint === null) updates.endpoint = identity.endpoint;
  if (identity.executionTimeoutMs && current.executionTimeoutMs === null) {
    updates.executionTimeoutMs = identity.executionTimeoutMs;
    // A card opened by a webhook learns its deadline from a later start.
    if (current.pollCount === 0) {
      updates.nextPollAt =
        sql`${current.createdAt} + ${identity.executionTimeoutMs}::double precision * interval '1 millisecond'` as unknown as Date;
    }
  }
  if (!isTerminal(current.state)) {
    Object.assign(updates, fields);
    if (change.state !== null) {
      updates.state = state;
      if (change.runpodStatus) updates.runpodStatus = change.runpodStatus;
    }
    if (isTerminal(state)) updates.closedAt = sql`now()` as unknown as Date;
  }

  let activity = current;
  if (Object.keys(updates).length > 0) {
    const [updated] = await tx
      .update(activities)
      .set({ ...updates, updatedAt: sql`now()` as unknown as Date })
      .where(eq(activities.id, current.id))
      .returning();
    activity = updated!;
  }
  await alsoWrite?.(tx, { activity, created: false });
  const event = await appendEvent(tx, {
    ...eventBase,
    activityId: current.id,
    stateBefore: current.state,
    stateAfter: activity.state,
  });
  return { activity, event, created: false, transitioned: activity.state !== current.state };
}

/**
 * Applies a change in a transaction of its own. `alsoWrite` runs in the same transaction,
 * for records that must commit or roll back with the change, such as the delivery. A
 * card that the change created or closed is then checked for duplicates.
 */
export async function changeActivity(
  change: ActivityChange,
  alsoWrite?: AlsoWrite,
): Promise<ChangeResult> {
  const db = await getDb();
  const result = await db.transaction((tx) => applyChange(tx, change, alsoWrite));
  if (result.created || (result.transitioned && isTerminal(result.activity.state))) {
    await findDuplicatesOf(result.activity, { created: result.created });
  }
  return result;
}

/** Returns the card with this key, else the card the key attached to. */
export async function getActivityByKey({
  accountId,
  key,
  schemaId = RUNPOD_SCHEMA,
}: {
  accountId: string;
  key: string;
  schemaId?: string;
}): Promise<Activity | undefined> {
  const [card] = await selectCardForKey(await getDb(), accountId, schemaId, key);
  return card;
}

export async function getActivity({
  accountId,
  activityId,
}: {
  accountId: string;
  activityId: string;
}): Promise<Activity | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.accountId, accountId), eq(activities.id, activityId)));
  return row;
}

export async function getActivitiesByIds(
  executor: Executor,
  { accountId, ids }: { accountId: string; ids: string[] },
): Promise<Activity[]> {
  if (ids.length === 0) return [];
  return executor
    .select()
    .from(activities)
    .where(and(eq(activities.accountId, accountId), sql`${activities.id} in ${ids}`));
}

/** Lists the board: open cards first (newest first), then the most recently closed. */
export async function listBoard({
  accountId,
  limit = 200,
}: {
  accountId: string;
  limit?: number;
}): Promise<Activity[]> {
  const db = await getDb();
  return db
    .select()
    .from(activities)
    .where(eq(activities.accountId, accountId))
    .orderBy(sql`${activities.closedAt} is null desc`, desc(activities.updatedAt))
    .limit(limit);
}

export async function listActivityEvents({
  accountId,
  activityId,
}: {
  accountId: string;
  activityId: string;
}): Promise<ActivityEvent[]> {
  const db = await getDb();
  return db
    .select()
    .from(activityEvents)
    .where(and(eq(activityEvents.accountId, accountId), eq(activityEvents.activityId, activityId)))
    .orderBy(asc(activityEvents.id));
}
