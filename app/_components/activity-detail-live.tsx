"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import {
  CARD_PRESENTATIONS,
  type CardPresentation,
  PRESENTATION_LABELS,
} from "@/lib/activities/card-presentation";
import { isOpen } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { ActivityPresentation } from "./dynamic-island";
import { LiveStatus, useClock } from "./live-board";
import { useLiveStream } from "./use-live-stream";

const FIGURE_WIDTHS: Record<CardPresentation, string> = {
  "lock-screen": "w-[22rem] max-w-full",
  compact: "max-w-full",
  minimal: "",
  expanded: "w-[371px] max-w-full",
};

/**
 * Shows the detail page's card in all four presentations side by side, kept live from the
 * account's stream. A change to this
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
  const connection = useLiveStream(afterEventId, (incoming) => {
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
      <LiveStatus connection={connection} />
      <ul
        aria-label="Presentations of this card"
        className="flex w-full flex-wrap items-start gap-6"
      >
        {CARD_PRESENTATIONS.map((presentation) => (
          <li key={presentation} className={FIGURE_WIDTHS[presentation]}>
            <figure className="flex flex-col gap-2">
              <figcaption className="text-xs font-medium text-zinc-400">
                {PRESENTATION_LABELS[presentation]}
              </figcaption>
              <ActivityPresentation presentation={presentation} activity={shown} now={now} />
            </figure>
          </li>
        ))}
      </ul>
    </div>
  );
}
