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

/**
 * The cards per state of the filtered board, each a link that filters by its state. The
 * server renders the first counts; after live changes they are read again from
 * `/api/board/counts`, because a change to a card on another page of the board moves the
 * counts too.
 */
export function LiveStateCounters({
  initialCounts,
  filterValues,
  presentation,
}: {
  initialCounts: StateCounts;
  filterValues: Record<string, string>;
  presentation: CardPresentation;
}) {
  const filterKey = JSON.stringify(filterValues);
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey is filterValues by value
  const filters = useMemo(() => parseBoardFilters(filterValues).filters, [filterKey]);
  const changes = useContext(BoardChangesContext);
  const [counts, setCounts] = useState(initialCounts);
  useEffect(() => setCounts(initialCounts), [initialCounts]);

  const scheduled = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const query = new URLSearchParams(filterValues).toString();
  useEffect(() => {
    if (changes === 0 || scheduled.current !== undefined) return;
    scheduled.current = setTimeout(async () => {
      scheduled.current = undefined;
      try {
        const response = await fetch(`/api/board/counts?${query}`, { cache: "no-store" });
        if (response.ok) setCounts(((await response.json()) as { counts: StateCounts }).counts);
      } catch {
        // Offline for a moment: the next change or a reload reads the counts again.
      }
    }, REFRESH_INTERVAL_MS);
  }, [changes, query]);
  useEffect(() => () => clearTimeout(scheduled.current), []);

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
