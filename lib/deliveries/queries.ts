import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type Executor, getDb } from "@/lib/db/client";
import {
  type ActivityEvent,
  activityEvents,
  apiKeys,
  type Delivery,
  deliveries,
} from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";

export const DELIVERIES_PER_PAGE = 50;

const cursorRow = alias(deliveries, "cursor_delivery");

/** One row of the delivery log. */
export type DeliverySummary = Pick<
  Delivery,
  | "id"
  | "receivedAt"
  | "keyId"
  | "jobId"
  | "runpodStatus"
  | "activityId"
  | "responseStatus"
  | "errorCode"
  | "bodyBytes"
  | "bodyTruncated"
  | "note"
> & {
  /** The name of the key in the URL, or null when that key was deleted. */
  keyName: string | null;
  /** The delivery's replays, or null when it was never replayed. */
  replays: DeliveryReplays | null;
};

/** How often a delivery was replayed, and the event its latest replay recorded. */
export interface DeliveryReplays {
  count: number;
  latest: Pick<ActivityEvent, "id" | "stateBefore" | "stateAfter" | "runpodStatus" | "createdAt">;
}

/** A delivery with everything stored about it. */
export type DeliveryDetail = Delivery & { keyName: string | null };

export interface DeliveryPage {
  deliveries: DeliverySummary[];
  /** The cursor for the next, older page, or null on the last page. */
  nextBefore: string | null;
}

/**
 * Lists an account's deliveries, newest first. The cursor `before` is the id of the last
 * delivery of the previous page. The next page starts after it in (received_at, id)
 * order, so deliveries received in the same microsecond are neither skipped nor repeated.
 */
export async function listDeliveries({
  accountId,
  before,
  limit = DELIVERIES_PER_PAGE,
}: {
  accountId: string;
  before?: string;
  limit?: number;
}): Promise<DeliveryPage> {
  const db = await getDb();
  const conditions = [eq(deliveries.accountId, accountId)];
  if (before !== undefined) {
    const [cursor] = await db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.accountId, accountId), eq(deliveries.id, before)));
    if (!cursor) {
      throw new ApiError(
        "not_found",
        `No delivery "${before}" to continue the list from; open the delivery log again to start from the newest delivery.`,
      );
    }
    // Compared in the database, because a JavaScript Date drops the microseconds.
    const cursorPosition = db
      .select({ receivedAt: cursorRow.receivedAt, id: cursorRow.id })
      .from(cursorRow)
      .where(eq(cursorRow.id, before));
    conditions.push(sql`(${deliveries.receivedAt}, ${deliveries.id}) < (${cursorPosition})`);
  }

  const rows = await db
    .select({
      id: deliveries.id,
      receivedAt: deliveries.receivedAt,
      keyId: deliveries.keyId,
      keyName: apiKeys.name,
      jobId: deliveries.jobId,
      runpodStatus: deliveries.runpodStatus,
      activityId: deliveries.activityId,
      responseStatus: deliveries.responseStatus,
      errorCode: deliveries.errorCode,
      bodyBytes: deliveries.bodyBytes,
      bodyTruncated: deliveries.bodyTruncated,
      note: deliveries.note,
    })
    .from(deliveries)
    .leftJoin(apiKeys, eq(apiKeys.id, deliveries.keyId))
    .where(and(...conditions))
    .orderBy(desc(deliveries.receivedAt), desc(deliveries.id))
    .limit(limit + 1);

  const page = rows.slice(0, limit);
  const replays = await listReplays(db, accountId, page);
  return {
    deliveries: page.map((row) => ({ ...row, replays: replays.get(row.id) ?? null })),
    nextBefore: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

/**
 * Counts each delivery's replays and finds the latest. A replay that touched no card
 * recorded no event and is not counted.
 */
async function listReplays(
  db: Executor,
  accountId: string,
  page: readonly Pick<Delivery, "id">[],
): Promise<Map<string, DeliveryReplays>> {
  const replays = new Map<string, DeliveryReplays>();
  if (page.length === 0) return replays;
  for (const { replayOf, ...latest } of await replayEvents(
    db,
    accountId,
    page.map((row) => row.id),
  )) {
    replays.set(replayOf, { count: (replays.get(replayOf)?.count ?? 0) + 1, latest });
  }
  return replays;
}

/** Returns the events a delivery's replays recorded, oldest first. */
export async function listDeliveryReplays({
  accountId,
  deliveryId,
}: {
  accountId: string;
  deliveryId: string;
}): Promise<ReplayEvent[]> {
  return (await replayEvents(await getDb(), accountId, [deliveryId])).map(
    ({ replayOf: _, ...event }) => event,
  );
}

type ReplayEvent = DeliveryReplays["latest"];

/**
 * Reads the replay events of the given deliveries by the delivery each replays, not by the
 * delivery's card. A replay for a merged card lands on the surviving card, and a merge
 * moves the card's earlier events there too.
 */
function replayEvents(
  db: Executor,
  accountId: string,
  deliveryIds: string[],
): Promise<(ReplayEvent & { replayOf: string })[]> {
  const replayOf = sql<string>`(${activityEvents.detail} ->> 'replayOf')`;
  return db
    .select({
      id: activityEvents.id,
      replayOf,
      stateBefore: activityEvents.stateBefore,
      stateAfter: activityEvents.stateAfter,
      runpodStatus: activityEvents.runpodStatus,
      createdAt: activityEvents.createdAt,
    })
    .from(activityEvents)
    .where(and(eq(activityEvents.accountId, accountId), inArray(replayOf, deliveryIds)))
    .orderBy(asc(activityEvents.id));
}

/** Returns one of the account's deliveries, or undefined when the account has none with that id. */
export async function getDelivery({
  accountId,
  deliveryId,
}: {
  accountId: string;
  deliveryId: string;
}): Promise<DeliveryDetail | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ delivery: deliveries, keyName: apiKeys.name })
    .from(deliveries)
    .leftJoin(apiKeys, eq(apiKeys.id, deliveries.keyId))
    .where(and(eq(deliveries.accountId, accountId), eq(deliveries.id, deliveryId)));
  return row ? { ...row.delivery, keyName: row.keyName } : undefined;
}
