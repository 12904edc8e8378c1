"use client";

import { type ReactNode, useEffect, useEffectEvent, useState } from "react";
import { isOpen, sortBoard, upsertActivity } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { ActivityCard } from "./activity-card";

/** One message of the `activity` event on `GET /api/live`. */
interface LiveMessage {
  event: { id: number };
  activity: ActivityView;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Follows the account's live stream, calls `onActivity` for every change after
 * `afterEventId`, and returns whether the stream is connected. EventSource reconnects by
 * itself with Last-Event-ID after a network error. When it gives up instead (on an error
 * status, for example while a new version deploys), this hook opens a new stream from
 * the last event received, waiting 1 s, then 2 s, and so on up to 30 s.
 */
function useLiveStream(afterEventId: number, onActivity: (activity: ActivityView) => void) {
  const [connected, setConnected] = useState(false);
  const receive = useEffectEvent(onActivity);

  useEffect(() => {
    let lastEventId = afterEventId;
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const handleMessage = (message: MessageEvent<string>) => {
      let payload: LiveMessage;
      try {
        payload = JSON.parse(message.data) as LiveMessage;
      } catch {
        console.warn("Ignored a live event that is not JSON.");
        return;
      }
      const id = Number(message.lastEventId) || payload.event?.id;
      if (Number.isSafeInteger(id) && id > lastEventId) lastEventId = id;
      if (payload.activity) receive(payload.activity);
    };

    // EventSource gives up on an error status such as 401, which the stream returns once
    // the session has ended. Then /sign-in is the way back, not another retry.
    const leaveIfSignedOut = async () => {
      try {
        const response = await fetch("/api/auth/session", { cache: "no-store" });
        const session = (await response.json()) as { user?: unknown } | null;
        if (!stopped && response.ok && !session?.user) window.location.assign("/sign-in");
      } catch {
        // Offline or the server is down, so the retry timer keeps going.
      }
    };

    const connect = () => {
      source = new EventSource(`/api/live?after=${lastEventId}`);
      source.addEventListener("activity", handleMessage);
      source.onopen = () => {
        failures = 0;
        setConnected(true);
      };
      source.onerror = () => {
        setConnected(false);
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        source.close();
        failures += 1;
        void leaveIfSignedOut();
        const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** (failures - 1));
        retryTimer = setTimeout(connect, delay);
      };
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [afterEventId]);

  return connected;
}

/** Returns the current time, updated every second while `ticking` is true. */
function useClock(initialNow: number, ticking: boolean): number {
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
              <ActivityCard activity={activity} now={now} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
