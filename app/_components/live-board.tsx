"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import {
  type CardPresentation,
  DEFAULT_PRESENTATION,
  withPresentation,
} from "@/lib/activities/card-presentation";
import { matchesFilters, parseBoardFilters } from "@/lib/activities/filters";
import { cardTitle, isOpen, sortBoard, upsertActivity } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { ActivityPresentation } from "./dynamic-island";
import { PresentationToggle } from "./presentation-toggle";
import { BoardChangesContext } from "./state-counters";
import { type LiveConnection, useLiveStream } from "./use-live-stream";

/** Returns the current time, updated every second while `ticking` is true. */
export function useClock(initialNow: number, ticking: boolean): number {
  const [now, setNow] = useState(initialNow);
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

const LIVE_WORDS: Record<LiveConnection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

export function LiveStatus({ connection }: { connection: LiveConnection }) {
  const live = connection === "live";
  return (
    <span
      data-testid="live-status"
      role="status"
      className={`inline-flex items-center gap-2 rounded-full border px-3 py-1 text-xs font-medium ${
        live
          ? "border-emerald-500/40 bg-emerald-500/10 text-emerald-300"
          : "border-amber-500/40 bg-amber-500/10 text-amber-300"
      }`}
    >
      <span
        aria-hidden="true"
        className={`size-2 rounded-full ${live ? "bg-emerald-400" : "animate-pulse bg-amber-400"}`}
      />
      {LIVE_WORDS[connection]}
    </span>
  );
}

/**
 * Applies one card from the live stream to a filtered board page. A card that no longer
 * matches the filters leaves the page. A new card joins only the first page, because
 * later pages end at a cursor the new card sorts before.
 */
function applyLiveActivity(
  board: ActivityView[],
  activity: ActivityView,
  matches: boolean,
  firstPage: boolean,
): ActivityView[] {
  const present = board.some((card) => card.id === activity.id);
  if (!matches) return present ? board.filter((card) => card.id !== activity.id) : board;
  if (!present && !firstPage) return board;
  return upsertActivity(board, activity);
}

// Each presentation lays its cards out at the size the phone gives them.
const BOARD_LAYOUTS: Record<CardPresentation, string> = {
  "lock-screen": "grid grid-cols-[repeat(auto-fill,minmax(min(100%,22rem),1fr))] gap-4",
  compact: "flex flex-wrap gap-4",
  minimal: "flex flex-wrap gap-2",
  expanded: "grid grid-cols-[repeat(auto-fill,minmax(min(100%,371px),1fr))] gap-4",
};

const ITEM_CLASSES: Record<CardPresentation, string> = {
  "lock-screen": "min-w-0",
  compact: "w-[250px] max-w-full",
  minimal: "flex w-22 flex-col items-center text-center",
  expanded: "min-w-0",
};

/**
 * Keeps the chosen presentation, and writes it into the URL next to the filters so that a
 * reload, a shared link and every filter link keep it.
 */
function usePresentation(initial: CardPresentation) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [presentation, setPresentation] = useState(initial);
  useEffect(() => setPresentation(initial), [initial]);

  const choose = (next: CardPresentation) => {
    setPresentation(next);
    const query = withPresentation(new URLSearchParams(searchParams), next).toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return [presentation, choose] as const;
}

/**
 * The board: the cards rendered on the server, kept current by the live stream.
 * `serverNow` is the server's clock at render time, so the first render of the timers
 * matches the server's HTML. `filterValues` are the board's query parameters, already
 * validated on the server; live changes are applied only to cards that match them.
 */
export function LiveBoard({
  initialActivities,
  latestEventId,
  serverNow,
  emptyState,
  filterValues = {},
  firstPage = true,
  staleAfterMs,
  toolbar,
  presentation: initialPresentation = DEFAULT_PRESENTATION,
}: {
  initialActivities: ActivityView[];
  latestEventId: number;
  serverNow: number;
  emptyState: ReactNode;
  filterValues?: Record<string, string>;
  firstPage?: boolean;
  staleAfterMs?: number;
  /** Filters and counters, drawn under the heading. */
  toolbar?: ReactNode;
  /** The presentation named in the URL. The toggle changes it in place. */
  presentation?: CardPresentation;
}) {
  const filterKey = JSON.stringify(filterValues);
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey is filterValues by value
  const filters = useMemo(() => parseBoardFilters(filterValues).filters, [filterKey]);
  const [activities, setActivities] = useState(() => sortBoard(initialActivities));
  // A navigation to other filters or another page renders new initial cards.
  useEffect(() => setActivities(sortBoard(initialActivities)), [initialActivities]);
  const [changes, setChanges] = useState(0);
  const connection = useLiveStream(latestEventId, (activity) => {
    setChanges((count) => count + 1);
    setActivities((board) =>
      applyLiveActivity(board, activity, matchesFilters(activity, filters), firstPage),
    );
  });
  const openCount = activities.filter((activity) => isOpen(activity.state)).length;
  const now = useClock(serverNow, openCount > 0);
  const [presentation, choosePresentation] = usePresentation(initialPresentation);

  return (
    <section aria-labelledby="board-heading">
      <div className="mb-6 flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 id="board-heading" className="text-2xl font-semibold tracking-tight">
          Board
        </h1>
        <LiveStatus connection={connection} />
        {activities.length > 0 ? (
          <p className="text-sm text-zinc-400">
            {openCount} open · {activities.length - openCount} closed
          </p>
        ) : null}
        <div className="w-full sm:ml-auto sm:w-auto">
          <PresentationToggle value={presentation} onChange={choosePresentation} />
        </div>
      </div>
      <BoardChangesContext value={changes}>{toolbar}</BoardChangesContext>
      {activities.length === 0 ? (
        emptyState
      ) : (
        <ul data-presentation={presentation} className={BOARD_LAYOUTS[presentation]}>
          {activities.map((activity) => (
            <li key={activity.id} className={ITEM_CLASSES[presentation]}>
              <ActivityPresentation
                presentation={presentation}
                activity={activity}
                now={now}
                detailHref={`/activities/${activity.id}`}
                staleAfterMs={staleAfterMs}
              />
              {presentation === "compact" || presentation === "minimal" ? (
                // The small islands show no job name; the board names each one below it.
                <p
                  aria-hidden="true"
                  dir="auto"
                  className="mt-1 w-full truncate text-xs text-zinc-400"
                >
                  {cardTitle(activity)}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
