import type { Metadata } from "next";
import Link from "next/link";
import { BoardEmptyState } from "@/app/_components/board-empty-state";
import { BoardFilters } from "@/app/_components/board-filters";
import { LiveBoard } from "@/app/_components/live-board";
import { LiveBoardSummary } from "@/app/_components/state-counters";
import { countActivitiesByState, decodeCursor, listActivities } from "@/lib/activities/board";
import { boardHref, parsePresentation } from "@/lib/activities/card-presentation";
import {
  filtersToParams,
  hasFilters,
  parseBoardFilters,
  type SearchParams,
} from "@/lib/activities/filters";
import { toActivityView } from "@/lib/activities/view";
import { publicBaseUrl, staleAfterMinutes } from "@/lib/config";
import { countOpenGroups } from "@/lib/duplicates/queries";
import { latestEventId } from "@/lib/live/events";
import { requireSession } from "./session";

export const metadata: Metadata = { title: "Board" };

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
            <LiveBoardSummary
              initial={{ counts, duplicateGroups }}
              showCounters={total > 0 || filtered}
              filterValues={filterValues}
              presentation={presentation}
            />
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
