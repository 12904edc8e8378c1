import { and, desc, eq, inArray, isNull, lte, ne, sql } from "drizzle-orm";
import type { Executor, Transaction } from "@/lib/db/client";
import {
  type Activity,
  activities,
  type DuplicateGroup,
  duplicateGroupMembers,
  duplicateGroups,
} from "@/lib/db/schema";
import { newId } from "@/lib/ids";
import { findAttachableCard } from "./match";
import type { EvidenceCard, FoundDuplicate } from "./rules";

/**
 * Seconds around a webhook card's estimated submit time in which the client's card
 * opened. It covers the time from RunPod's response to the start call, and one retried
 * webhook, which RunPod sends 10 s after a failed one.
 */
export const SUBMIT_TIME_TOLERANCE_SECONDS = 30;
/** Seconds between two starts with one job name and endpoint that count as one job started twice. */
export const SAME_NAME_WINDOW_SECONDS = 60;
/** Most pairs one rule reports for one card, so one busy endpoint cannot flood the page. */
const MAX_PAIRS_PER_RULE = 3;
/** Open cards searched for a mention of a new card's key, newest first. */
const MENTION_SEARCH_LIMIT = 200;
/** Text that looks like a job id: RunPod's are UUIDs with suffixes, at least 8 characters. */
const JOB_ID_TOKEN = /[A-Za-z0-9][A-Za-z0-9_-]{7,255}/g;
const MAX_TOKENS = 20;

const isOpenCard = inArray(activities.state, ["queued", "running"]);

export function evidenceCard(card: Activity): EvidenceCard {
  return {
    id: card.id,
    key: card.key,
    openedBy: card.openedBy,
    endpoint: card.endpoint,
    jobName: card.jobName,
    createdAt: card.createdAt.toISOString(),
  };
}

/** Returns the group key of a set of cards: their ids, sorted and joined with a space. */
export function memberKey(activityIds: readonly string[]): string {
  return [...activityIds].sort().join(" ");
}

/**
 * Returns whether `card` can have a duplicate at all, in one indexed query: every rule
 * pairs it with an open card, except a job id named in its own texts. A card in an
 * account with no other open card, such as a webhook's card when nothing else runs, then
 * costs this one query instead of a transaction of rule queries.
 */
export async function mayHaveDuplicates(executor: Executor, card: Activity): Promise<boolean> {
  if (card.state === "merged" || card.mergedInto !== null) return false;
  if (jobIdTokens(card).length > 0) return true;
  const [open] = await executor
    .select({ id: activities.id })
    .from(activities)
    .where(
      and(
        eq(activities.accountId, card.accountId),
        sql`${activities.closedAt} is null`,
        ne(activities.id, card.id),
      ),
    )
    .limit(1);
  return open !== undefined;
}

/**
 * Finds the cards likely to be the same job as `card`, which was just created or closed,
 * and stores a group for each pair that has none yet. Every query is bounded by an index
 * on the account: its open cards, an endpoint's cards, or cards by key.
 */
export async function detectDuplicates(
  tx: Transaction,
  card: Activity,
  { created }: { created: boolean },
): Promise<DuplicateGroup[]> {
  if (card.state === "merged" || card.mergedInto !== null) return [];
  // Rules with the stronger evidence run first: a pair keeps the first group stored for it.
  const found: FoundDuplicate[] = [];
  if (created) found.push(...(await clientAndInspector(tx, card)));
  found.push(...(await jobIdInCardData(tx, card)));
  if (created) {
    found.push(...(await webhookForUnknownJob(tx, card)));
    found.push(...(await sameNameWithinWindow(tx, card)));
  }

  const groups: DuplicateGroup[] = [];
  for (const duplicate of found) {
    const group = await storeGroup(tx, card.accountId, duplicate);
    if (group) groups.push(group);
  }
  return groups;
}

/** Inserts a group unless its pair of cards already has one; returns it when inserted. */
async function storeGroup(
  tx: Transaction,
  accountId: string,
  duplicate: FoundDuplicate,
): Promise<DuplicateGroup | undefined> {
  const [group] = await tx
    .insert(duplicateGroups)
    .values({
      id: newId("dup"),
      accountId,
      confidence: duplicate.confidence,
      rule: duplicate.rule,
      evidence: duplicate.evidence,
      memberKey: memberKey(duplicate.activityIds),
    })
    .onConflictDoNothing()
    .returning();
  if (!group) return undefined;
  await tx
    .insert(duplicateGroupMembers)
    .values(
      duplicate.activityIds.map((activityId) => ({ groupId: group.id, activityId, accountId })),
    );
  return group;
}

function pair(card: Activity, other: Activity): [string, string] {
  return [other.id, card.id];
}

async function clientAndInspector(tx: Transaction, card: Activity): Promise<FoundDuplicate[]> {
  if (card.openedBy !== "api" && card.openedBy !== "inspector") return [];
  const other = await findAttachableCard(tx, {
    accountId: card.accountId,
    schemaId: card.schemaId,
    endpoint: card.endpoint,
    key: card.key,
    jobName: card.jobName,
    openedBy: card.openedBy === "api" ? "inspector" : "api",
  });
  if (!other) return [];
  const [client, inspector] = card.openedBy === "api" ? [card, other] : [other, card];
  return [
    {
      rule: "client_and_inspector",
      confidence: "high",
      activityIds: pair(card, other),
      evidence: {
        cards: [evidenceCard(other), evidenceCard(card)],
        summary: `activity/start opened a card under "${client.key}" and the RunPod submit proxy opened one under job id "${inspector.key}", on endpoint ${card.endpoint}, ${secondsApart(client, inspector)} s apart.`,
        secondsApart: secondsApart(client, inspector),
      },
    },
  ];
}

/** Returns the seconds between two times, to a tenth of a second. */
function secondsBetween(a: Date, b: Date): number {
  return Math.round(Math.abs(a.getTime() - b.getTime()) / 100) / 10;
}

function secondsApart(a: Activity, b: Activity): number {
  return secondsBetween(a.createdAt, b.createdAt);
}

/**
 * RunPod's job ids as seen in RunPod's docs and bug reports: a UUID, with an optional
 * suffix such as `-u1` or `-e2` and an optional `sync-` prefix. A card keyed like this
 * gets its own webhook, so it is not the card of another job id. Job ids are opaque, so
 * this only narrows the webhook rule; a run name shaped like a UUID is missed by it.
 */
export const RUNPOD_JOB_ID_PATTERN =
  "^(sync-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[a-z0-9]+)?$";

/**
 * Pairs a card that a webhook opened for a job id no card had with the open card that
 * the client opened for the job under another key. RunPod's webhook body names no
 * endpoint, so the match is on time instead: the job was submitted `delayTime +
 * executionTime` before the webhook arrived, and the client's card opened around then.
 * The card closest to that time is paired: high confidence when it is the only one
 * within SUBMIT_TIME_TOLERANCE_SECONDS, medium when there are others. Without RunPod's
 * times, the only such open card is a medium match, and several are no match.
 */
async function webhookForUnknownJob(tx: Transaction, card: Activity): Promise<FoundDuplicate[]> {
  if (card.openedBy !== "webhook") return [];
  const submittedAt =
    card.delayMs !== null && card.executionMs !== null
      ? new Date(card.createdAt.getTime() - card.delayMs - card.executionMs)
      : null;
  const submitted = submittedAt ? sql`${submittedAt.toISOString()}::timestamptz` : null;
  const candidates = await tx
    .select()
    .from(activities)
    .where(
      and(
        eq(activities.accountId, card.accountId),
        sql`${activities.closedAt} is null`,
        isOpenCard,
        eq(activities.schemaId, card.schemaId),
        eq(activities.openedBy, "api"),
        ne(activities.key, card.key),
        isNull(activities.attachedKey),
        lte(activities.createdAt, card.createdAt),
        sql`${activities.key} !~* ${RUNPOD_JOB_ID_PATTERN}`,
        // A range on created_at, so the open-cards-by-creation index reads only the window.
        submitted
          ? sql`${activities.createdAt} between ${submitted} - ${SUBMIT_TIME_TOLERANCE_SECONDS} * interval '1 second' and ${submitted} + ${SUBMIT_TIME_TOLERANCE_SECONDS} * interval '1 second'`
          : undefined,
      ),
    )
    .orderBy(
      submitted
        ? sql`abs(extract(epoch from ${activities.createdAt} - ${submitted}))`
        : desc(activities.createdAt),
      desc(activities.id),
    )
    .limit(MAX_PAIRS_PER_RULE);

  const closest = candidates[0];
  if (!closest || (!submittedAt && candidates.length > 1)) return [];
  return [
    {
      rule: "webhook_for_unknown_job",
      confidence: submittedAt && candidates.length === 1 ? "high" : "medium",
      activityIds: pair(card, closest),
      evidence: {
        cards: [evidenceCard(closest), evidenceCard(card)],
        summary: submittedAt
          ? `A webhook for job id "${card.key}" found no card. RunPod's times put the submit at ${submittedAt.toISOString()}, and "${closest.key}" opened ${secondsBetween(closest.createdAt, submittedAt)} s from then and was still open.`
          : `A webhook for job id "${card.key}" found no card while "${closest.key}" was the only open card under a key that is not a job id.`,
        estimatedSubmitAt: submittedAt?.toISOString() ?? null,
        otherCandidates: candidates.length - 1,
      },
    },
  ];
}

/** Pairs two open cards on one endpoint with one job name, started within a minute. */
async function sameNameWithinWindow(tx: Transaction, card: Activity): Promise<FoundDuplicate[]> {
  if (!card.endpoint || !card.jobName || card.closedAt !== null) return [];
  const others = await tx
    .select()
    .from(activities)
    .where(
      and(
        eq(activities.accountId, card.accountId),
        eq(activities.endpoint, card.endpoint),
        isOpenCard,
        eq(activities.schemaId, card.schemaId),
        eq(activities.jobName, card.jobName),
        ne(activities.id, card.id),
        sql`${activities.createdAt} between ${card.createdAt.toISOString()}::timestamptz - ${SAME_NAME_WINDOW_SECONDS} * interval '1 second' and ${card.createdAt.toISOString()}::timestamptz + ${SAME_NAME_WINDOW_SECONDS} * interval '1 second'`,
      ),
    )
    .orderBy(desc(activities.createdAt), desc(activities.id))
    .limit(MAX_PAIRS_PER_RULE);
  return others.map((other) => ({
    rule: "same_name_within_window",
    confidence: "medium",
    activityIds: pair(card, other),
    evidence: {
      cards: [evidenceCard(other), evidenceCard(card)],
      summary: `Two cards on endpoint ${card.endpoint} named "${card.jobName}" were open at once, started ${secondsApart(card, other)} s apart under keys "${other.key}" and "${card.key}".`,
      secondsApart: secondsApart(card, other),
    },
  }));
}

/** Returns the job-id-like words of a card's texts, other than its own key. */
export function jobIdTokens(
  card: Pick<Activity, "key" | "jobName" | "progress" | "errorMessage">,
): string[] {
  const text = [card.jobName, card.progress, card.errorMessage].filter(Boolean).join(" ");
  const tokens = new Set(text.match(JOB_ID_TOKEN) ?? []);
  tokens.delete(card.key);
  return [...tokens].slice(0, MAX_TOKENS);
}

/**
 * Pairs cards where one card's job name, progress or error text contains the other's
 * key. Those three fields are the only free text a card stores; RunPod's output is not
 * stored. Both directions are checked: the words of this card against other cards' keys
 * (the routing index), and this card's key against the texts of the account's newest
 * open cards.
 */
async function jobIdInCardData(tx: Transaction, card: Activity): Promise<FoundDuplicate[]> {
  const found = new Map<string, { other: Activity; mentionedIn: "this" | "other" }>();
  const tokens = jobIdTokens(card);
  if (tokens.length > 0) {
    const named = await tx
      .select()
      .from(activities)
      .where(
        and(
          eq(activities.accountId, card.accountId),
          eq(activities.schemaId, card.schemaId),
          inArray(activities.key, tokens),
          ne(activities.state, "merged"),
        ),
      )
      .limit(MAX_PAIRS_PER_RULE);
    for (const other of named) found.set(other.id, { other, mentionedIn: "this" });
  }
  if (card.key.length >= 8) {
    const mentioning = await tx
      .select()
      .from(activities)
      .where(
        and(
          eq(activities.accountId, card.accountId),
          sql`${activities.id} in (select ${activities.id} from ${activities} where ${activities.accountId} = ${card.accountId} and ${activities.closedAt} is null order by ${activities.updatedAt} desc limit ${MENTION_SEARCH_LIMIT})`,
          ne(activities.id, card.id),
          sql`(strpos(${activities.jobName}, ${card.key}) > 0 or strpos(${activities.progress}, ${card.key}) > 0 or strpos(${activities.errorMessage}, ${card.key}) > 0)`,
        ),
      )
      .limit(MAX_PAIRS_PER_RULE);
    for (const other of mentioning) {
      if (!found.has(other.id)) found.set(other.id, { other, mentionedIn: "other" });
    }
  }
  return [...found.values()]
    .filter(({ other }) => other.id !== card.id)
    .slice(0, MAX_PAIRS_PER_RULE)
    .map(({ other, mentionedIn }) => {
      const [holder, named] = mentionedIn === "this" ? [card, other] : [other, card];
      return {
        rule: "job_id_in_card_data",
        confidence: "high",
        activityIds: pair(card, other),
        evidence: {
          cards: [evidenceCard(other), evidenceCard(card)],
          summary: `The card "${holder.key}" mentions "${named.key}", the key of another card, in its job name, progress or error.`,
          mentionedKey: named.key,
          mentioningCard: holder.id,
        },
      };
    });
}
