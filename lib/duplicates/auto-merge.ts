import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { accounts, type DuplicateGroup } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { logger } from "@/lib/log";
import { mergeDuplicateGroup } from "./merge";

/**
 * Merges the high-confidence groups just found when the account turned auto-merge on.
 * It runs after the change that found them has committed: a merge locks several cards,
 * which inside a writer's transaction could wait in a cycle with another writer. A
 * merge that fails leaves its group open on the Duplicates page.
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
