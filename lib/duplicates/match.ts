import { and, desc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { type Activity, activities, activityEvents } from "@/lib/db/schema";

/**
 * How long after another source opened a card a start or submit on the same endpoint
 * counts as the same job. A submission script calls RunPod and then Chirp within
 * seconds, so two minutes leaves room for a slow network without pairing the next job.
 */
export const ATTACH_WINDOW_SECONDS = 120;

/** The two sources that open a card on submit: `api` is the client's activity/start. */
export type OpeningSource = "api" | "inspector";

export interface AttachableQuery {
  accountId: string;
  schemaId: string;
  /** The endpoint the new start or submit names; without one nothing matches. */
  endpoint: string | null | undefined;
  /** The key the new start or submit uses; a card with this key is the same card, not a match. */
  key: string;
  /** The job name the new start or submit gives, if any. */
  jobName: string | null | undefined;
  /** The source that opened the card looked for: the other one of the pair. */
  openedBy: OpeningSource;
}

/**
 * Finds the card that a start or submit from one source belongs to when the other source
 * already opened it: the newest card that
 * - the other source opened on the same endpoint, under a different key,
 * - is still open and not merged,
 * - opened at most ATTACH_WINDOW_SECONDS ago,
 * - no start or submit from the asking source has claimed (no attached key and no event
 *   from that source),
 * - has no job name, or the same job name, when the asker gives one.
 * This one rule decides both where the account setting attaches a start or submit and
 * when detection pairs a client card with an inspector card. The query is bounded by the
 * (account, endpoint, state) index.
 */
export async function findAttachableCard(
  executor: Executor,
  query: AttachableQuery,
): Promise<Activity | undefined> {
  if (!query.endpoint) return undefined;
  const askingSource = query.openedBy === "api" ? "inspector" : "api";
  const claimedByAsker = sql`exists (select 1 from ${activityEvents} where ${activityEvents.activityId} = ${activities.id} and ${activityEvents.source} = ${askingSource})`;
  const [card] = await executor
    .select()
    .from(activities)
    .where(
      and(
        eq(activities.accountId, query.accountId),
        eq(activities.endpoint, query.endpoint),
        inArray(activities.state, ["queued", "running"]),
        eq(activities.schemaId, query.schemaId),
        eq(activities.openedBy, query.openedBy),
        ne(activities.key, query.key),
        isNull(activities.attachedKey),
        sql`${activities.createdAt} >= now() - ${ATTACH_WINDOW_SECONDS} * interval '1 second'`,
        query.jobName
          ? or(isNull(activities.jobName), eq(activities.jobName, query.jobName))
          : undefined,
        sql`not ${claimedByAsker}`,
      ),
    )
    .orderBy(desc(activities.createdAt), desc(activities.id))
    .limit(1);
  return card;
}
