"use client";

import { type ReactNode, useEffect, useState } from "react";
import { isOpen, sortBoard, upsertActivity } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { ActivityCard } from "./activity-card";
import { useLiveStream } from "./use-live-stream";

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

export function LiveStatus({ connected }: { connected: boolean }) {
  return (
    <span
      data-testid="live-status"
      role="status"
      className={`inline-flex items-center gap-2 rounded-full border px-3 py-1 text-xs font-medium ${
        connected
          ? "border-emerald-500/40 bg-emerald-500/10 text-emerald-300"
          : "border-amber-500/40 bg-amber-500/10 text-amber-300"
      }`}
    >
      <span
        aria-hidden="true"
        className={`size-2 rounded-full ${connected ? "bg-emerald-400" : "animate-pulse bg-amber-400"}`}
      />
      {connected ? "Live" : "Reconnecting…"}
    </span>
  );
}

/**
 * The board: the cards rendered on the server, kept current by the live stream.
 * `serverNow` is the server's clock at render time, so the first render of the timers
 * matches the server's HTML.
 */
export function LiveBoard({
  initialActivities,
  latestEventId,
  serverNow,
  emptyState,
}: {
  initialActivities: ActivityView[];
  latestEventId: number;
  serverNow: number;
  emptyState: ReactNode;
}) {
  const [activities, setActivities] = useState(() => sortBoard(initialActivities));
  const connected = useLiveStream(latestEventId, (activity) =>
    setActivities((board) => upsertActivity(board, activity)),
  );
  const openCount = activities.filter((activity) => isOpen(activity.state)).length;
  const now = useClock(serverNow, openCount > 0);

  return (
    <section aria-labelledby="board-heading">
      <div className="mb-6 flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 id="board-heading" className="text-2xl font-semibold tracking-tight">
          Board
        </h1>
        <LiveStatus connected={connected} />
        {activities.length > 0 ? (
          <p className="text-sm text-zinc-400">
            {openCount} open · {activities.length - openCount} closed
          </p>
        ) : null}
      </div>
      {activities.length === 0 ? (
        emptyState
      ) : (
        <ul className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,22rem),1fr))] gap-4">
          {activities.map((activity) => (
            <li key={activity.id} className="min-w-0">
              <ActivityCard
                activity={activity}
                now={now}
                detailHref={`/activities/${activity.id}`}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
