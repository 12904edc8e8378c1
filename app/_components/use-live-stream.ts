"use client";

import { useEffect, useEffectEvent, useState } from "react";
import type { ActivityView } from "@/lib/activities/view";
import { SESSION_ENDED_REASON } from "@/lib/auth/sign-in-reasons";

/** One message of the `activity` event on `GET /api/live`. */
interface LiveMessage {
  event: { id: number };
  activity: ActivityView;
}

const MAX_RETRY_DELAY_MS = 30_000;

/** The stream's state: opening for the first time, open, or lost and being opened again. */
export type LiveConnection = "connecting" | "live" | "reconnecting";

/**
 * Follows the account's live stream, calls `onActivity` for every change after
 * `afterEventId`, and returns the stream's state. EventSource reconnects by
 * itself with Last-Event-ID after a network error. When it gives up instead (on an error
 * status, for example while a new version deploys), this hook opens a new stream from
 * the last event received, waiting 1 s, then 2 s, and so on up to 30 s.
 */
export function useLiveStream(
  afterEventId: number,
  onActivity: (activity: ActivityView) => void,
): LiveConnection {
  const [connection, setConnection] = useState<LiveConnection>("connecting");
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
        const response = await fetch("/api/session", { cache: "no-store" });
        if (stopped || response.status !== 401) return;
        const body = (await response.json()) as { error?: { code?: string } };
        window.location.assign(
          body.error?.code === "session_ended"
            ? `/sign-in?reason=${SESSION_ENDED_REASON}`
            : "/sign-in",
        );
      } catch {
        // Offline or the server is down, so the retry timer keeps going.
      }
    };

    const connect = () => {
      source = new EventSource(`/api/live?after=${lastEventId}`);
      source.addEventListener("activity", handleMessage);
      source.onopen = () => {
        failures = 0;
        setConnection("live");
      };
      source.onerror = () => {
        setConnection("reconnecting");
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

  return connection;
}
