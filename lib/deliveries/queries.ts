import { and, desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { getDb } from "@/lib/db/client";
import { apiKeys, type Delivery, deliveries } from "@/lib/db/schema";
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
};

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
  return {
    deliveries: page,
    nextBefore: rows.length > limit ? page[page.length - 1]!.id : null,
  };
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
