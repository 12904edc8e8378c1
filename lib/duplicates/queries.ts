import { and, count, desc, eq, inArray } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import {
  type Activity,
  activities,
  type DuplicateGroup,
  type DuplicateGroupStatus,
  duplicateGroupMembers,
  duplicateGroups,
} from "@/lib/db/schema";

export interface GroupWithCards {
  group: DuplicateGroup;
  /** The member cards as they are now, oldest first. */
  cards: Activity[];
}

/** Counts the account's open duplicate groups, for the board's badge. */
export async function countOpenGroups({ accountId }: { accountId: string }): Promise<number> {
  const db = await getDb();
  const [row] = await db
    .select({ count: count() })
    .from(duplicateGroups)
    .where(and(eq(duplicateGroups.accountId, accountId), eq(duplicateGroups.status, "open")));
  return row?.count ?? 0;
}

/** Lists the account's groups in one status, newest first, with their cards. */
export async function listDuplicateGroups({
  accountId,
  status,
  limit = 100,
}: {
  accountId: string;
  status: DuplicateGroupStatus;
  limit?: number;
}): Promise<GroupWithCards[]> {
  const db = await getDb();
  const groups = await db
    .select()
    .from(duplicateGroups)
    .where(and(eq(duplicateGroups.accountId, accountId), eq(duplicateGroups.status, status)))
    .orderBy(desc(duplicateGroups.createdAt), desc(duplicateGroups.id))
    .limit(limit);
  return withCards(accountId, groups);
}

/** Returns the groups with the given ids, with their cards. */
export async function getDuplicateGroups({
  accountId,
  groupIds,
}: {
  accountId: string;
  groupIds: string[];
}): Promise<GroupWithCards[]> {
  if (groupIds.length === 0) return [];
  const db = await getDb();
  const groups = await db
    .select()
    .from(duplicateGroups)
    .where(and(eq(duplicateGroups.accountId, accountId), inArray(duplicateGroups.id, groupIds)));
  return withCards(accountId, groups);
}

async function withCards(accountId: string, groups: DuplicateGroup[]): Promise<GroupWithCards[]> {
  if (groups.length === 0) return [];
  const db = await getDb();
  const rows = await db
    .select({ groupId: duplicateGroupMembers.groupId, card: activities })
    .from(duplicateGroupMembers)
    .innerJoin(activities, eq(activities.id, duplicateGroupMembers.activityId))
    .where(
      and(
        eq(duplicateGroupMembers.accountId, accountId),
        inArray(
          duplicateGroupMembers.groupId,
          groups.map((group) => group.id),
        ),
      ),
    );
  return groups.map((group) => ({
    group,
    cards: rows
      .filter((row) => row.groupId === group.id)
      .map((row) => row.card)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
  }));
}
