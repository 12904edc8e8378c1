"use client";

import Link from "next/link";
import { createContext, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { StateCounts } from "@/lib/activities/board";
import { boardHref, type CardPresentation } from "@/lib/activities/card-presentation";
import { parseBoardFilters } from "@/lib/activities/filters";
import { activityStates } from "@/lib/db/schema";

/** How many live changes the board has received; the counters read again when it grows. */
export const BoardChangesContext = createContext(0);

// Under a steady stream of changes the counts are read at most this often.
const REFRESH_INTERVAL_MS = 1000;

/** The board's summary: cards per state under its filters, and open duplicate groups. */
export interface BoardSummary {
  counts: StateCounts;
  duplicateGroups: number;
}

/**
 * Draws the board's summary under its filters: a link to the Duplicates page while the
 * account has open groups, and the cards per state, each a link that filters by its state.
 * The server renders the first summary. After live changes it is read again from
 * `/api/board/counts`, because a change to a card on another page of the board moves the
 * counts too, and the check for duplicates follows a change.
 */
export function LiveBoardSummary({
  initial,
  showCounters,
  filterValues,
  presentation,
}: {
  initial: BoardSummary;
  showCounters: boolean;
  filterValues: Record<string, string>;
  presentation: CardPresentation;
}) {
  const changes = useContext(BoardChangesContext);
  const [summary, setSummary] = useState(initial);
  useEffect(() => setSummary(initial), [initial]);

  const scheduled = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const query = new URLSearchParams(filterValues).toString();
  useEffect(() => {
    if (changes === 0 || scheduled.current !== undefined) return;
    scheduled.current = setTimeout(async () => {
      scheduled.current = undefined;
      try {
        const response = await fetch(`/api/board/counts?${query}`, { cache: "no-store" });
        if (response.ok) setSummary((await response.json()) as BoardSummary);
      } catch {
        // Offline for a moment: the next change or a reload reads the summary again.
      }
    }, REFRESH_INTERVAL_MS);
  }, [changes, query]);
  useEffect(() => () => clearTimeout(scheduled.current), []);

  return (
    <>
      {summary.duplicateGroups > 0 ? <DuplicatesBadge count={summary.duplicateGroups} /> : null}
      {showCounters ? (
        <StateCounters
          counts={summary.counts}
          filterValues={filterValues}
          presentation={presentation}
        />
      ) : null}
    </>
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

function StateCounters({
  counts,
  filterValues,
  presentation,
}: {
  counts: StateCounts;
  filterValues: Record<string, string>;
  presentation: CardPresentation;
}) {
  const filterKey = JSON.stringify(filterValues);
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey is filterValues by value
  const filters = useMemo(() => parseBoardFilters(filterValues).filters, [filterKey]);
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
