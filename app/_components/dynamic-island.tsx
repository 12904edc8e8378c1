import Link from "next/link";
import type { ReactNode } from "react";
import type { CardPresentation } from "@/lib/activities/card-presentation";
import { type ActivityContentState, activityContentState } from "@/lib/activities/content-state";
import { type CardColor, cardClock, isOpen } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { ActivityCard } from "./activity-card";
import { COLOR_CLASSES } from "./card-colors";

/**
 * The Dynamic Island presentations of a card, drawn at the island's sizes on an iPhone 15
 * Pro in points: compact 250 × 37 around the camera, minimal a 37-point circle, expanded
 * 371 × 160. Every text comes from the same ActivityKit content state as the Lock Screen
 * card. The sizes are fixed, so long texts are cut with an ellipsis inside them.
 */

type IslandPresentation = Exclude<CardPresentation, "lock-screen">;

interface PresentationProps {
  activity: ActivityView;
  now: number;
  /** The URL a click on the card opens; without it the card is not a link. */
  detailHref?: string;
}

const ISLAND_SHAPES: Record<IslandPresentation, string> = {
  compact: "h-[37px] w-[250px] rounded-full px-1.5",
  minimal: "size-[37px] rounded-full",
  expanded: "h-[160px] w-[371px] max-w-full rounded-[44px] px-5 py-4",
};

function RunPodLogo({ size }: { size: number }) {
  return (
    // biome-ignore lint/performance/noImgElement: a static SVG needs no image optimization
    <img
      src="/runpod-logo.svg"
      alt=""
      width={size}
      height={size}
      className="shrink-0 rounded-md"
      style={{ width: size, height: size }}
    />
  );
}

/**
 * Draws the island's black shape: a link to the card's detail page on the board, and one image
 * named by the job name and state word elsewhere, since it is a picture of the phone there.
 * The link is named by its visible text after `spokenPrefix`, a text for screen readers
 * that adds what the island does not show, so the name always contains the visible words.
 */
function IslandFrame({
  presentation,
  activity,
  detailHref,
  spokenPrefix,
  children,
}: {
  presentation: IslandPresentation;
  activity: ActivityView;
  detailHref?: string;
  spokenPrefix?: (contentState: ActivityContentState) => string;
  /** Draws the island's regions from the card's content state and its colour classes. */
  children: (
    contentState: ActivityContentState,
    colors: (typeof COLOR_CLASSES)[CardColor],
  ) => ReactNode;
}) {
  const contentState = activityContentState(activity);
  const content = children(contentState, COLOR_CLASSES[contentState.color]);
  const label = `${contentState.jobName}, ${contentState.statusWord}`;
  const className = `theme-dark relative flex shrink-0 overflow-hidden bg-black text-white ring-1 ring-white/15 shadow-lg shadow-black/30 ${ISLAND_SHAPES[presentation]}`;
  const attributes = {
    "data-testid": "activity-card",
    "data-presentation": presentation,
    "data-key": activity.key,
    "data-state": activity.state,
    "data-color": contentState.color,
    title: label,
  };
  if (detailHref) {
    return (
      <Link
        href={detailHref}
        {...attributes}
        className={`${className} outline-offset-2 focus-visible:outline-2 focus-visible:outline-runpod-light`}
      >
        {spokenPrefix ? <span className="sr-only">{spokenPrefix(contentState)}</span> : null}
        {content}
      </Link>
    );
  }
  return (
    <div role="img" aria-label={label} {...attributes} className={className}>
      {content}
    </div>
  );
}

/** Compact: the logo leading, and the timer (open) or the state word (closed) trailing. */
export function CompactIsland({ activity, now, detailHref }: PresentationProps) {
  const open = isOpen(activity.state);
  return (
    <IslandFrame
      presentation="compact"
      activity={activity}
      detailHref={detailHref}
      spokenPrefix={({ jobName, statusWord }) =>
        open ? `${jobName}, ${statusWord}, ` : `${jobName}, `
      }
    >
      {(contentState, colors) => (
        <>
          <span data-region="leading" className="flex items-center">
            <RunPodLogo size={25} />
          </span>
          {/* The camera sits between the leading and trailing regions. */}
          <span aria-hidden="true" className="flex-1" />
          <span
            data-region="trailing"
            className={`flex max-w-[112px] items-center px-1.5 text-xs font-semibold tabular-nums ${open ? "text-zinc-100" : colors.header}`}
          >
            <span className="truncate">
              {open ? cardClock(activity, now) : contentState.statusWord}
            </span>
          </span>
        </>
      )}
    </IslandFrame>
  );
}

/** Minimal: the logo while the job is open, a dot in the state's colour once closed. */
export function MinimalIsland({ activity, detailHref }: PresentationProps) {
  return (
    <IslandFrame
      presentation="minimal"
      activity={activity}
      detailHref={detailHref}
      spokenPrefix={({ jobName, statusWord }) => `${jobName}, ${statusWord}`}
    >
      {(_contentState, colors) => (
        <>
          <span className="flex size-full items-center justify-center">
            {isOpen(activity.state) ? (
              <RunPodLogo size={25} />
            ) : (
              <span data-region="dot" className={`size-3.5 rounded-full ${colors.bar}`} />
            )}
          </span>
        </>
      )}
    </IslandFrame>
  );
}

/**
 * Expanded: the regions as ActivityKit lays them out. Leading and trailing flank the
 * camera at the top, the center region sits below it, and the bottom region spans the
 * width.
 */
export function ExpandedIsland({ activity, now, detailHref }: PresentationProps) {
  return (
    <IslandFrame
      presentation="expanded"
      activity={activity}
      detailHref={detailHref}
      spokenPrefix={({ jobName }) => `${jobName}, `}
    >
      {(contentState, colors) => (
        <>
          <span className="flex min-w-0 flex-1 flex-col gap-1.5">
            <span className="flex min-w-0 items-start gap-3">
              <span data-region="leading" className="flex min-w-0 flex-1 flex-col gap-1">
                <RunPodLogo size={28} />
                <span className="truncate font-mono text-[11px] text-zinc-400">
                  {contentState.endpoint ?? "RunPod"}
                </span>
              </span>
              {/* The camera's width at the top edge. */}
              <span aria-hidden="true" className="w-[72px] shrink" />
              <span data-region="trailing" className="flex min-w-0 flex-1 flex-col items-end gap-1">
                <span className={`max-w-full truncate text-xs font-semibold ${colors.header}`}>
                  {contentState.statusWord}
                </span>
                <span className="max-w-full truncate font-mono text-sm text-zinc-100 tabular-nums">
                  {cardClock(activity, now)}
                </span>
              </span>
            </span>
            <span
              data-region="center"
              dir="auto"
              className="truncate text-center text-base font-semibold text-white"
            >
              {contentState.jobName}
            </span>
            <span
              data-region="bottom"
              dir="auto"
              className={`line-clamp-2 text-xs wrap-anywhere ${colors.action}`}
            >
              {contentState.actionLine}
            </span>
          </span>
        </>
      )}
    </IslandFrame>
  );
}

/**
 * Draws a card in one presentation. The Lock Screen card also takes `staleAfterMs`, because
 * only it has room to say since when an open card is stale.
 */
export function ActivityPresentation({
  presentation,
  staleAfterMs,
  ...props
}: PresentationProps & { presentation: CardPresentation; staleAfterMs?: number }) {
  switch (presentation) {
    case "lock-screen":
      return <ActivityCard {...props} staleAfterMs={staleAfterMs} />;
    case "compact":
      return <CompactIsland {...props} />;
    case "minimal":
      return <MinimalIsland {...props} />;
    case "expanded":
      return <ExpandedIsland {...props} />;
  }
}
