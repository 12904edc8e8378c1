"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { isOpen } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { ActivityCard } from "./activity-card";
import { LiveStatus, useClock } from "./live-board";
import { useLiveStream } from "./use-live-stream";

/**
 * Shows the detail page's card, kept live from the account's stream. A change to this
 * card shows on the card at once and re-renders the page on the server, so the timeline
 * and the phone payload follow.
 */
export function ActivityDetailLive({
  activity,
  latestEventId,
  serverNow,
}: {
  activity: ActivityView;
  latestEventId: number;
  serverNow: number;
}) {
  const router = useRouter();
  // Each refresh renders the page with a newer event id. The stream resumes by itself, so
  // it keeps the id it started from instead of reconnecting.
  const [afterEventId] = useState(latestEventId);
  const [streamed, setStreamed] = useState<ActivityView | null>(null);
  const connected = useLiveStream(afterEventId, (incoming) => {
    if (incoming.id !== activity.id) return;
    setStreamed(incoming);
    router.refresh();
  });
  const shown =
    streamed && Date.parse(streamed.updatedAt) > Date.parse(activity.updatedAt)
      ? streamed
      : activity;
  const now = useClock(serverNow, isOpen(shown.state));

  return (
    <div className="flex flex-col items-start gap-3">
      <LiveStatus connected={connected} />
      <div className="w-full">
        <ActivityCard activity={shown} now={now} />
      </div>
    </div>
  );
}
