import type { Metadata } from "next";
import Link from "next/link";
import { BoardEmptyState } from "@/app/_components/board-empty-state";
import { BoardFilters } from "@/app/_components/board-filters";
import { LiveBoard } from "@/app/_components/live-board";
import {
  countActivitiesByState,
  decodeCursor,
  listActivities,
  type StateCounts,
} from "@/lib/activities/board";
import {
  type CardPresentation,
  parsePresentation,
  withPresentation,
} from "@/lib/activities/card-presentation";
import {
  type BoardFilters as Filters,
  filtersToParams,
  hasFilters,
  parseBoardFilters,
  type SearchParams,
} from "@/lib/activities/filters";
import { toActivityView } from "@/lib/activities/view";
import { publicBaseUrl, staleAfterMinutes } from "@/lib/config";
import { activityStates } from "@/lib/db/schema";
import { countOpenGroups } from "@/lib/duplicates/queries";
import { latestEventId } from "@/lib/live/events";
import { requireSession } from "./session";

export const metadata: Metadata = { title: "Board" };

function boardHref(
  filters: Filters,
  presentation: CardPresentation,
  extra: Record<string, string> = {},
): string {
  const params = withPresentation(filtersToParams(filters), presentation);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

function StateCounters({
  counts,
  filters,
  presentation,
}: {
  counts: StateCounts;
  filters: Filters;
  presentation: CardPresentation;
}) {
  return (
    <nav aria-label="Cards per state" className="mb-4 flex flex-wrap gap-2 text-xs">
      {activityStates.map((state) => {
        const selected = filters.state === state;
        const href = boardHref(
          { ...filters, status: undefined, state: selected ? undefined : state },
          presentation,
        );
        return (
          <Link
            key={state}
            href={href}
            data-testid="state-count"
            data-state={state}
            aria-current={selected ? "true" : undefined}
            className={`rounded-full border px-3 py-1 ${
              selected
                ? "border-runpod-light bg-runpod/20 text-zinc-50"
                : "border-zinc-700 text-zinc-300 hover:border-zinc-500"
            }`}
          >
            {state} <span className="font-mono tabular-nums">{counts[state]}</span>
          </Link>
        );
      })}
    </nav>
  );
}

/** Links to the Duplicates page while the account has groups of cards that are likely one job. */
function DuplicatesBadge({ count }: { count: number }) {
  return (
    <p className="mb-4">
      <Link
        href="/duplicates"
        data-testid="duplicates-badge"
        className="inline-flex items-center gap-2 rounded-full border border-amber-500/50 bg-amber-500/10 px-3 py-1 text-sm text-amber-300 hover:border-amber-400"
      >
        <span className="font-mono tabular-nums">{count}</span>{" "}
        {count === 1 ? "possible duplicate card" : "possible duplicate cards"}
        <span aria-hidden="true">→</span>
      </Link>
    </p>
  );
}

export default async function BoardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { accountId } = await requireSession();
  const params = await searchParams;
  const { filters, errors } = parseBoardFilters(params);
  const { presentation, error: presentationError } = parsePresentation(params);
  if (presentationError) errors.push(presentationError);
  const rawCursor = typeof params.cursor === "string" ? params.cursor : undefined;
  const cursor = rawCursor === undefined ? undefined : decodeCursor(rawCursor);
  if (rawCursor !== undefined && cursor === undefined) {
    errors.push(`cursor=${rawCursor} is not a page of this board; showing the first page.`);
  }

  // The event id is read first: a change committed between the two reads is then sent
  // again by the stream, which is harmless, instead of being missed.
  const afterEventId = await latestEventId({ accountId });
  const [page, counts, duplicateGroups] = await Promise.all([
    listActivities({ accountId, filters, cursor }),
    countActivitiesByState({ accountId, filters }),
    countOpenGroups({ accountId }),
  ]);
  const filterValues = Object.fromEntries(filtersToParams(filters));
  const filtered = hasFilters(filters);
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);

  return (
    <>
      <LiveBoard
        toolbar={
          <>
            <BoardFilters
              key={JSON.stringify(filterValues)}
              values={filterValues}
              presentation={presentation}
            />
            {errors.length > 0 ? (
              <ul
                role="alert"
                data-testid="filter-errors"
                className="mb-4 space-y-1 text-sm text-amber-300"
              >
                {errors.map((error) => (
                  <li key={error}>{error}</li>
                ))}
              </ul>
            ) : null}
            {duplicateGroups > 0 ? <DuplicatesBadge count={duplicateGroups} /> : null}
            {total > 0 || filtered ? (
              <StateCounters counts={counts} filters={filters} presentation={presentation} />
            ) : null}
          </>
        }
        initialActivities={page.activities.map(toActivityView)}
        latestEventId={afterEventId}
        serverNow={Date.now()}
        filterValues={filterValues}
        firstPage={cursor === undefined}
        staleAfterMs={staleAfterMinutes() * 60_000}
        presentation={presentation}
        emptyState={
          filtered || cursor ? (
            <p data-testid="board-no-match" className="text-sm text-zinc-400">
              No cards match these filters.
            </p>
          ) : (
            <BoardEmptyState baseUrl={publicBaseUrl()} />
          )
        }
      />
      <nav aria-label="Pages" className="mt-6 flex gap-4 text-sm">
        {cursor ? (
          <Link
            href={boardHref(filters, presentation)}
            className="text-runpod-light hover:underline"
          >
            First page
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link
            href={boardHref(filters, presentation, { cursor: page.nextCursor })}
            className="text-runpod-light hover:underline"
          >
            Next page
          </Link>
        ) : null}
      </nav>
    </>
  );
}
