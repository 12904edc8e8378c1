import { and, asc, count, eq, gt, inArray, ne, sql } from "drizzle-orm";
import { getDb, type Transaction } from "@/lib/db/client";
import {
  type Activity,
  activities,
  activityEvents,
  type DuplicateGroup,
  duplicateGroupMembers,
  duplicateGroups,
} from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { appendEvent } from "@/lib/live/events";
import { isTerminal } from "@/lib/runpod/status";
import { type MergeSnapshot, restoredColumns, snapshotCard } from "./snapshot";

const SURVIVOR_RANK: Partial<Record<Activity["openedBy"], number>> = { inspector: 0, webhook: 2 };

/**
 * Picks the card that survives a merge. A card the RunPod submit proxy opened is keyed by
 * RunPod's job id, so it wins. Otherwise the oldest card a client opened wins, because it
 * carries the job name and endpoint that the script sent. A card a webhook opened
 * survives only when every member was opened by one.
 */
export function chooseSurvivor<T extends Pick<Activity, "id" | "openedBy" | "createdAt">>(
  cards: readonly T[],
): T {
  const rank = (card: T) => SURVIVOR_RANK[card.openedBy] ?? 1;
  return [...cards].sort(
    (a, b) =>
      rank(a) - rank(b) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
  )[0]!;
}

/**
 * Returns what the survivor takes from the other cards: a job name, endpoint or execution
 * timeout it lacks, and the outcome of the card that closed first, as on a single card
 * the first terminal status wins. An outcome from RunPod or a user comes before
 * `expired`, which only means that RunPod did not know the job under that card's key.
 */
export function survivorUpdates(
  survivor: Activity,
  others: readonly Activity[],
): Partial<typeof activities.$inferInsert> {
  const updates: Partial<typeof activities.$inferInsert> = {};
  for (const other of others) {
    if (survivor.jobName === null && other.jobName !== null) updates.jobName ??= other.jobName;
    if (survivor.endpoint === null && other.endpoint !== null) updates.endpoint ??= other.endpoint;
    if (survivor.executionTimeoutMs === null && other.executionTimeoutMs !== null) {
      updates.executionTimeoutMs ??= other.executionTimeoutMs;
    }
  }
  const expiredLast = (card: Activity) => (card.state === "expired" ? 1 : 0);
  const [first] = [survivor, ...others]
    .filter((card) => isTerminal(card.state) && card.closedAt !== null)
    .sort(
      (a, b) => expiredLast(a) - expiredLast(b) || a.closedAt!.getTime() - b.closedAt!.getTime(),
    );
  if (first && first !== survivor) {
    Object.assign(updates, {
      state: first.state,
      runpodStatus: first.runpodStatus,
      errorMessage: first.errorMessage,
      hasOutput: first.hasOutput,
      delayMs: first.delayMs,
      executionMs: first.executionMs,
      workerId: first.workerId,
      closedAt: first.closedAt,
    });
  }
  return updates;
}

async function lockGroup(
  tx: Transaction,
  accountId: string,
  groupId: string,
): Promise<DuplicateGroup> {
  const [group] = await tx
    .select()
    .from(duplicateGroups)
    .where(and(eq(duplicateGroups.accountId, accountId), eq(duplicateGroups.id, groupId)))
    .for("update");
  if (!group) {
    throw new ApiError(
      "not_found",
      `No duplicate group with id "${groupId}" in this account. Open it from the Duplicates page.`,
    );
  }
  return group;
}

/**
 * Locks a group's cards in id order, then the group. Writers lock one card and then the
 * account (in appendEvent). A merge locks its cards, then groups, then the account, so
 * neither a writer nor another merge can wait for it in a cycle.
 */
async function lockGroupAndMembers(
  tx: Transaction,
  accountId: string,
  groupId: string,
): Promise<{ group: DuplicateGroup; cards: Activity[] }> {
  const members = tx
    .select({ id: duplicateGroupMembers.activityId })
    .from(duplicateGroupMembers)
    .where(
      and(
        eq(duplicateGroupMembers.accountId, accountId),
        eq(duplicateGroupMembers.groupId, groupId),
      ),
    );
  const cards = await tx
    .select()
    .from(activities)
    .where(and(eq(activities.accountId, accountId), inArray(activities.id, members)))
    .orderBy(asc(activities.id))
    .for("update");
  return { group: await lockGroup(tx, accountId, groupId), cards };
}

export interface MergeResult {
  group: DuplicateGroup;
  survivor: Activity;
  merged: Activity[];
}

/**
 * Merges a duplicate group: the survivor takes the terminal state and the events of the
 * other cards, which close as `merged` and point to it. A delivery for one of the cards
 * that arrives during the merge either commits first, and its change is carried over,
 * or waits for the card's lock and then lands on the survivor (see lockCardForKey).
 * `automatic` marks a merge that the account's auto-merge setting made.
 */
export async function mergeDuplicateGroup({
  accountId,
  groupId,
  automatic = false,
}: {
  accountId: string;
  groupId: string;
  automatic?: boolean;
}): Promise<MergeResult> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const { group, cards } = await lockGroupAndMembers(tx, accountId, groupId);
    if (group.status !== "open") {
      throw new ApiError(
        "group_not_open",
        `The duplicate group ${groupId} is already ${group.status}; only an open group can be merged.`,
      );
    }
    const alreadyMerged = cards.find((card) => card.state === "merged");
    if (alreadyMerged) {
      throw new ApiError(
        "group_not_open",
        `The card "${alreadyMerged.key}" was already merged into another card. Undo that merge from the other card's timeline, or dismiss this group.`,
      );
    }
    const survivor = chooseSurvivor(cards);
    const others = cards.filter((card) => card.id !== survivor.id);
    const otherIds = others.map((card) => card.id);

    const movedEventIds: Record<string, number[]> = {};
    for (const other of others) {
      const moved = await tx
        .update(activityEvents)
        .set({ activityId: survivor.id })
        .where(
          and(eq(activityEvents.accountId, accountId), eq(activityEvents.activityId, other.id)),
        )
        .returning({ id: activityEvents.id });
      movedEventIds[other.id] = moved.map((event) => event.id).sort((a, b) => a - b);
    }

    const mergedOthers = await tx
      .update(activities)
      .set({
        state: "merged",
        mergedInto: survivor.id,
        closedAt: sql`coalesce(${activities.closedAt}, now())` as unknown as Date,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(and(eq(activities.accountId, accountId), inArray(activities.id, otherIds)))
      .returning();
    const [updatedSurvivor] = await tx
      .update(activities)
      .set({ ...survivorUpdates(survivor, others), updatedAt: sql`now()` as unknown as Date })
      .where(eq(activities.id, survivor.id))
      .returning();

    for (const other of others) {
      await appendEvent(tx, {
        accountId,
        activityId: other.id,
        type: "merge",
        source: "dashboard",
        stateBefore: other.state,
        stateAfter: "merged",
        detail: { groupId, survivorId: survivor.id, survivorKey: survivor.key, automatic },
      });
    }
    const mergeEvent = await appendEvent(tx, {
      accountId,
      activityId: survivor.id,
      type: "merge",
      source: "dashboard",
      stateBefore: survivor.state,
      stateAfter: updatedSurvivor!.state,
      detail: {
        groupId,
        count: others.length,
        mergedCards: others.map((other) => ({ id: other.id, key: other.key, state: other.state })),
        automatic,
      },
    });

    // The merged cards' other open groups cannot be merged any more.
    const dismissed = await tx
      .update(duplicateGroups)
      .set({ status: "dismissed", updatedAt: sql`now()` as unknown as Date })
      .where(
        and(
          eq(duplicateGroups.accountId, accountId),
          eq(duplicateGroups.status, "open"),
          ne(duplicateGroups.id, groupId),
          inArray(
            duplicateGroups.id,
            tx
              .select({ id: duplicateGroupMembers.groupId })
              .from(duplicateGroupMembers)
              .where(inArray(duplicateGroupMembers.activityId, otherIds)),
          ),
        ),
      )
      .returning({ id: duplicateGroups.id });

    const snapshot: MergeSnapshot = {
      survivorId: survivor.id,
      mergeEventId: mergeEvent.id,
      cards: cards.map(snapshotCard),
      movedEventIds,
      dismissedGroupIds: dismissed.map((row) => row.id),
    };
    const [mergedGroup] = await tx
      .update(duplicateGroups)
      .set({
        status: "merged",
        survivorId: survivor.id,
        mergeSnapshot: snapshot as unknown as Record<string, unknown>,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(eq(duplicateGroups.id, groupId))
      .returning();
    return { group: mergedGroup!, survivor: updatedSurvivor!, merged: mergedOthers };
  });
}

/**
 * Undoes a merge: every member card gets back the row and the events it had before, and
 * the group is open again. Refused once the survivor has changed after the merge,
 * because those changes could belong to any of the cards and undo would have to drop
 * or guess.
 */
export async function undoMerge({
  accountId,
  groupId,
}: {
  accountId: string;
  groupId: string;
}): Promise<{ group: DuplicateGroup; cards: Activity[] }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const { group, cards } = await lockGroupAndMembers(tx, accountId, groupId);
    const snapshot = group.mergeSnapshot as MergeSnapshot | null;
    if (group.status !== "merged" || snapshot === null) {
      throw new ApiError(
        "merge_not_undoable",
        `The duplicate group ${groupId} is ${group.status}, not merged, so there is no merge to undo.`,
      );
    }
    const survivor = cards.find((card) => card.id === snapshot.survivorId)!;
    const [later] = await tx
      .select({ count: count() })
      .from(activityEvents)
      .where(
        and(
          eq(activityEvents.activityId, snapshot.survivorId),
          gt(activityEvents.id, snapshot.mergeEventId),
        ),
      );
    if (later!.count > 0) {
      throw new ApiError(
        "merge_not_undoable",
        `The card "${survivor.key}" changed ${later!.count} time(s) after the merge, and undo cannot tell which card those changes belong to. The merge stays; end or update the cards by hand if needed.`,
      );
    }

    for (const [activityId, ids] of Object.entries(snapshot.movedEventIds)) {
      if (ids.length === 0) continue;
      await tx
        .update(activityEvents)
        .set({ activityId })
        .where(and(eq(activityEvents.accountId, accountId), inArray(activityEvents.id, ids)));
    }
    const restored: Activity[] = [];
    for (const saved of snapshot.cards) {
      const [row] = await tx
        .update(activities)
        .set({ ...restoredColumns(saved), updatedAt: sql`now()` as unknown as Date })
        .where(and(eq(activities.accountId, accountId), eq(activities.id, saved.id)))
        .returning();
      restored.push(row!);
    }
    for (const card of restored) {
      const before = cards.find((locked) => locked.id === card.id)!;
      await appendEvent(tx, {
        accountId,
        activityId: card.id,
        type: "unmerge",
        source: "dashboard",
        stateBefore: before.state,
        stateAfter: card.state,
        detail: { groupId },
      });
    }

    if (snapshot.dismissedGroupIds.length > 0) {
      await tx
        .update(duplicateGroups)
        .set({ status: "open", updatedAt: sql`now()` as unknown as Date })
        .where(
          and(
            eq(duplicateGroups.accountId, accountId),
            eq(duplicateGroups.status, "dismissed"),
            inArray(duplicateGroups.id, snapshot.dismissedGroupIds),
          ),
        );
    }
    const [reopened] = await tx
      .update(duplicateGroups)
      .set({
        status: "open",
        survivorId: null,
        mergeSnapshot: null,
        updatedAt: sql`now()` as unknown as Date,
      })
      .where(eq(duplicateGroups.id, groupId))
      .returning();
    return { group: reopened!, cards: restored };
  });
}

/** Marks an open group as not a duplicate; its pair of cards is never grouped again. */
export async function dismissDuplicateGroup({
  accountId,
  groupId,
}: {
  accountId: string;
  groupId: string;
}): Promise<DuplicateGroup> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const group = await lockGroup(tx, accountId, groupId);
    if (group.status !== "open") {
      throw new ApiError(
        "group_not_open",
        `The duplicate group ${groupId} is already ${group.status}; only an open group can be dismissed.`,
      );
    }
    const [dismissed] = await tx
      .update(duplicateGroups)
      .set({ status: "dismissed", updatedAt: sql`now()` as unknown as Date })
      .where(eq(duplicateGroups.id, groupId))
      .returning();
    return dismissed!;
  });
}
