import { and, eq, or, sql } from "drizzle-orm";
import {
  type ActivityChange,
  applyChange,
  type ChangeResult,
  RUNPOD_SCHEMA,
} from "@/lib/activities/store";
import { getDb } from "@/lib/db/client";
import { type Activity, activities } from "@/lib/db/schema";
import { findAttachableCard, type OpeningSource } from "./match";

export interface AttachResult {
  result: ChangeResult;
  /** The card the start or submit attached to, opened by the other source. */
  attachedTo: Activity;
}

/**
 * Applies a start or submit to the card the other source opened for the same job, when
 * the account lets only that source open cards and findAttachableCard finds one. The
 * card then also takes changes sent under `change.key`. Returns null when the key has a card
 * or nothing matches: the caller then opens its own card, or none.
 */
export async function attachToOtherSourceCard(
  change: ActivityChange,
  openedBy: OpeningSource,
): Promise<AttachResult | null> {
  const schemaId = change.schemaId ?? RUNPOD_SCHEMA;
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Two starts with one key wait for each other here, so they cannot attach one key to
    // two cards. The lock is not the account's event lock (seed 1, not 0).
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`${change.accountId} ${schemaId} ${change.key}`}, 1))`,
    );
    const [existing] = await tx
      .select({ id: activities.id })
      .from(activities)
      .where(
        and(
          eq(activities.accountId, change.accountId),
          eq(activities.schemaId, schemaId),
          or(eq(activities.key, change.key), eq(activities.attachedKey, change.key)),
        ),
      );
    if (existing) return null;

    const query = {
      accountId: change.accountId,
      schemaId,
      endpoint: change.identity?.endpoint,
      key: change.key,
      jobName: change.identity?.jobName,
      openedBy,
    };
    const candidate = await findAttachableCard(tx, query);
    if (!candidate) return null;
    await tx
      .select({ id: activities.id })
      .from(activities)
      .where(eq(activities.id, candidate.id))
      .for("update");
    // Another start or submit may have claimed it while this one waited for the lock.
    const confirmed = await findAttachableCard(tx, query);
    if (confirmed?.id !== candidate.id) return null;

    await tx
      .update(activities)
      .set({ attachedKey: change.key })
      .where(eq(activities.id, candidate.id));
    const result = await applyChange(tx, {
      ...change,
      key: candidate.key,
      schemaId,
      createIfMissing: false,
      detail: { ...change.detail, attachedKey: change.key },
    });
    return { result, attachedTo: result.activity };
  });
}
