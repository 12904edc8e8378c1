import { and, desc, eq, gte, ilike, lt, or, type SQL, sql } from "drizzle-orm";
import { type Executor, getDb } from "@/lib/db/client";
import { type Activity, type ActivityState, activities, activityStates } from "@/lib/db/schema";
import type { BoardFilters } from "./filters";

export const BOARD_PAGE_SIZE = 50;

/**
 * Position after the last card of a page, in board order: open cards first, then
 * updated_at descending, then id descending. `updatedAt` is Postgres's own text of the
 * timestamp, because a JavaScript Date drops the microseconds and would skip or repeat
 * cards that share a millisecond.
 */
export interface BoardCursor {
  open: boolean;
  updatedAt: string;
  id: string;
}

export function encodeCursor(cursor: BoardCursor): string {
  return Buffer.from(JSON.stringify([cursor.open ? 1 : 0, cursor.updatedAt, cursor.id])).toString(
    "base64url",
  );
}

/** Decodes a cursor from a URL; returns undefined for anything this module did not write. */
export function decodeCursor(raw: string): BoardCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown;
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [open, updatedAt, id] = value as unknown[];
    if (open !== 0 && open !== 1) return undefined;
    if (typeof updatedAt !== "string" || Number.isNaN(Date.parse(updatedAt))) return undefined;
    if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return undefined;
    return { open: open === 1, updatedAt, id };
  } catch {
    return undefined;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

const isOpenSql = sql<boolean>`(${activities.closedAt} is null)`;

/** The WHERE conditions for an account's board; `matchesFilters` is the same test in code. */
export function filterConditions(
  accountId: string,
  filters: BoardFilters,
  { withState = true }: { withState?: boolean } = {},
): SQL {
  const conditions: (SQL | undefined)[] = [eq(activities.accountId, accountId)];
  if (withState && filters.status === "open") conditions.push(sql`${activities.closedAt} is null`);
  if (withState && filters.status === "closed") {
    conditions.push(sql`${activities.closedAt} is not null`);
  }
  if (withState && filters.state) conditions.push(eq(activities.state, filters.state));
  if (filters.endpoint) conditions.push(eq(activities.endpoint, filters.endpoint));
  if (filters.q) {
    // NOTE: no index serves a substring search, so a search reads every card of the
    // account; the other conditions narrow it first where they can.
    const pattern = escapeLike(filters.q);
    conditions.push(
      or(
        sql`lower(${activities.key}) like ${`${pattern.toLowerCase()}%`}`,
        ilike(activities.jobName, `%${pattern}%`),
      ),
    );
  }
  if (filters.since) conditions.push(gte(activities.updatedAt, filters.since));
  if (filters.until) conditions.push(lt(activities.updatedAt, filters.until));
  return and(...conditions)!;
}

export interface BoardPage {
  activities: Activity[];
  /** The cursor of the next page, or null on the last page. */
  nextCursor: string | null;
}

/**
 * Builds the query for one page of the board. Paging is by keyset: the row comparison
 * matches the order and the board index, so page 2000 costs what page 1 costs.
 */
export function boardPageQuery(
  executor: Executor,
  {
    accountId,
    filters,
    cursor,
    limit,
  }: { accountId: string; filters: BoardFilters; cursor?: BoardCursor; limit: number },
) {
  const where = cursor
    ? and(
        filterConditions(accountId, filters),
        sql`(${isOpenSql}, ${activities.updatedAt}, ${activities.id}) < (${cursor.open}, ${cursor.updatedAt}::timestamptz, ${cursor.id})`,
      )
    : filterConditions(accountId, filters);
  return executor
    .select({ activity: activities, updatedAtText: sql<string>`${activities.updatedAt}::text` })
    .from(activities)
    .where(where)
    .orderBy(desc(isOpenSql), desc(activities.updatedAt), desc(activities.id))
    .limit(limit);
}

/** Lists one page of an account's board. */
export async function listActivities({
  accountId,
  filters = {},
  cursor,
  limit = BOARD_PAGE_SIZE,
}: {
  accountId: string;
  filters?: BoardFilters;
  cursor?: BoardCursor;
  limit?: number;
}): Promise<BoardPage> {
  const db = await getDb();
  // One extra row tells whether a next page exists without a count.
  const rows = await boardPageQuery(db, { accountId, filters, cursor, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({
          open: last.activity.closedAt === null,
          updatedAt: last.updatedAtText,
          id: last.activity.id,
        })
      : null;
  return { activities: page.map((row) => row.activity), nextCursor };
}

export type StateCounts = Record<ActivityState, number>;

/** Builds the grouped count; the status and state filters are left out so every state shows. */
export function stateCountsQuery(
  executor: Executor,
  { accountId, filters }: { accountId: string; filters: BoardFilters },
) {
  return executor
    .select({ state: activities.state, count: sql<number>`count(*)::int` })
    .from(activities)
    .where(filterConditions(accountId, filters, { withState: false }))
    .groupBy(activities.state);
}

/** Counts an account's cards per state in one grouped query. */
export async function countActivitiesByState({
  accountId,
  filters = {},
}: {
  accountId: string;
  filters?: BoardFilters;
}): Promise<StateCounts> {
  const db = await getDb();
  const rows = await stateCountsQuery(db, { accountId, filters });
  const counts = Object.fromEntries(activityStates.map((state) => [state, 0])) as StateCounts;
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}
