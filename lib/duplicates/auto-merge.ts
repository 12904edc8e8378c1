import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { type Activity, accounts, type DuplicateGroup } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { detectDuplicates, mayHaveDuplicates } from "./detect";
import { mergeDuplicateGroup } from "./merge";

/**
 * Checks a card that a change just created or closed for duplicates, right after the
 * change committed, and merges what it finds when the account auto-merges. Running after
 * the commit keeps the change's transaction and the account's event lock short. Of two
 * cards committed at about the same time, the check of the later one starts after both
 * committed and reads the other, so no pair is missed. A failure is logged and leaves the change as it
 * is, because the change has committed.
 */
export async function findDuplicatesOf(card: Activity, { created }: { created: boolean }) {
  try {
    const db = await getDb();
    if (!(await mayHaveDuplicates(db, card))) return;
    const groups = await db.transaction((tx) => detectDuplicates(tx, card, { created }));
    await autoMergeGroups(card.accountId, groups);
  } catch (error) {
    logger.error(
      { err: error, accountId: card.accountId, activityId: card.id },
      "duplicate detection failed",
    );
  }
}

/**
 * Merges the high-confidence groups just found when the account turned auto-merge on.
 * A merge that fails leaves its group open on the Duplicates page.
 */
export async function autoMergeGroups(accountId: string, groups: readonly DuplicateGroup[]) {
  const high = groups.filter((group) => group.confidence === "high");
  if (high.length === 0) return;
  const db = await getDb();
  const [account] = await db
    .select({ autoMerge: accounts.autoMergeDuplicates })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account?.autoMerge) return;
  for (const group of high) {
    try {
      const merged = await mergeDuplicateGroup({ accountId, groupId: group.id, automatic: true });
      logger.info(
        { accountId, groupId: group.id, survivorId: merged.survivor.id, rule: group.rule },
        "duplicate group merged automatically",
      );
    } catch (error) {
      // Another merge of an overlapping group can get there first; the group then stays
      // for the user to look at.
      const level = error instanceof ApiError ? "warn" : "error";
      logger[level]({ err: error, accountId, groupId: group.id }, "automatic merge failed");
    }
  }
}
