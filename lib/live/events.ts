import { and, asc, eq, gt, sql } from "drizzle-orm";
import { type Executor, getConnection, getDb, type Unlisten } from "@/lib/db/client";
import { type ActivityEvent, activityEvents } from "@/lib/db/schema";
import { logger } from "@/lib/log";

export const EVENTS_CHANNEL = "chirp_events";

export type NewEvent = Omit<typeof activityEvents.$inferInsert, "id" | "createdAt">;

/**
 * Appends an event and wakes every app instance's live streams when the transaction
 * commits. The per-account advisory lock, held until commit, makes an account's event
 * ids commit in increasing order, so a reader that has seen id N has seen every earlier
 * id of that account and can resume from N without gaps. Call it as the transaction's
 * last write: the lock serializes the account's writers from here to commit.
 *
 * Lock, insert and notify are one statement, so the lock is held for one round trip and
 * the commit instead of four. The lock is taken in a materialized CTE that the insert
 * reads its row from, so the event's id is drawn only once the lock is held.
 */
export async function appendEvent(tx: Executor, event: NewEvent): Promise<ActivityEvent> {
  const detail = JSON.stringify(event.detail ?? {});
  const result = (await tx.execute(sql`
    with account_lock as materialized (
      select pg_advisory_xact_lock(hashtextextended(${event.accountId}, 0))
    )
    insert into activity_events
      (account_id, activity_id, type, source, state_before, state_after, runpod_status, delivery_id, detail)
    select ${event.accountId}, ${event.activityId}, ${event.type}, ${event.source}, ${event.stateBefore ?? null},
      ${event.stateAfter}, ${event.runpodStatus ?? null}, ${event.deliveryId ?? null}, ${detail}::jsonb
    from account_lock
    returning id, created_at, pg_notify(${EVENTS_CHANNEL}, account_id)`)) as unknown as {
    rows: { id: number | string | bigint; created_at: Date | string }[];
  };
  const row = result.rows[0]!;
  return {
    accountId: event.accountId,
    activityId: event.activityId,
    type: event.type,
    source: event.source,
    stateBefore: event.stateBefore ?? null,
    stateAfter: event.stateAfter,
    runpodStatus: event.runpodStatus ?? null,
    deliveryId: event.deliveryId ?? null,
    detail: event.detail ?? {},
    id: Number(row.id),
    createdAt: new Date(row.created_at),
  };
}

export async function eventsAfter({
  accountId,
  afterId,
  limit = 200,
}: {
  accountId: string;
  afterId: number;
  limit?: number;
}): Promise<ActivityEvent[]> {
  const db = await getDb();
  return db
    .select()
    .from(activityEvents)
    .where(and(eq(activityEvents.accountId, accountId), gt(activityEvents.id, afterId)))
    .orderBy(asc(activityEvents.id))
    .limit(limit);
}

export async function latestEventId({ accountId }: { accountId: string }): Promise<number> {
  const db = await getDb();
  const [row] = await db
    .select({ id: sql<number>`coalesce(max(${activityEvents.id}), 0)`.mapWith(Number) })
    .from(activityEvents)
    .where(eq(activityEvents.accountId, accountId));
  return row?.id ?? 0;
}

type Waiter = () => void;

interface Hub {
  waiters: Map<string, Set<Waiter>>;
  started?: Promise<Unlisten>;
}

const globalStore = globalThis as typeof globalThis & { chirpEventHub?: Hub };

/**
 * Returns the process's event hub: one LISTEN per process, fanned out to the live
 * streams of that process by account id.
 */
function hub(): Hub {
  globalStore.chirpEventHub ??= { waiters: new Map() };
  const current = globalStore.chirpEventHub;
  current.started ??= getConnection()
    .then((connection) =>
      connection.listen(
        EVENTS_CHANNEL,
        (accountId) => {
          for (const wake of current.waiters.get(accountId) ?? []) wake();
        },
        // Events committed while the connection was away sent no NOTIFY that reached us,
        // so every stream reads again instead of waiting for its next poll.
        () => {
          for (const waiters of current.waiters.values()) for (const wake of waiters) wake();
        },
      ),
    )
    .catch((error: unknown) => {
      current.started = undefined;
      logger.error({ err: error }, "failed to listen for activity events");
      throw error;
    });
  return current;
}

/** Calls `wake` whenever the account gets a new event. Returns the unsubscribe function. */
export async function subscribe(accountId: string, wake: Waiter): Promise<() => void> {
  const current = hub();
  await current.started;
  let set = current.waiters.get(accountId);
  if (!set) {
    set = new Set();
    current.waiters.set(accountId, set);
  }
  set.add(wake);
  return () => {
    set.delete(wake);
    if (set.size === 0) current.waiters.delete(accountId);
  };
}
