import Link from "next/link";
import { activityContentState } from "@/lib/activities/content-state";
import { cardClock, isOpen, staleSince } from "@/lib/activities/presentation";
import type { ActivityView } from "@/lib/activities/view";
import { COLOR_CLASSES } from "./card-colors";
import { LocalTime } from "./local-time";

/**
 * One job drawn like the Lock Screen Live Activity: logo and status, job name and
 * endpoint, the action line, and a timer that ticks while the job is open. The texts and
 * the colour come from the ActivityKit content state, so the card shows what the phone
 * shows. `now` is the clock the board ticks, so every card shows the same second.
 *
 * The job name links to `detailHref`, and that link stretches over the whole card. The
 * RunPod console link sits above it, so the two links are siblings, not nested.
 */
export function ActivityCard({
  activity,
  now,
  detailHref,
  staleAfterMs,
}: {
  activity: ActivityView;
  now: number;
  /** How long an open card may go without a change before it shows "Stale since". */
  staleAfterMs?: number;
  /** The URL a click on the card opens. The detail page passes none for its own card. */
  detailHref?: string;
}) {
  const contentState = activityContentState(activity);
  const colors = COLOR_CLASSES[contentState.color];
  const open = isOpen(activity.state);
  const title = contentState.jobName;
  const action = contentState.actionLine;
  const stale = staleAfterMs === undefined ? null : staleSince(activity, now, staleAfterMs);
  const timer = cardClock(activity, now);

  return (
    <div
      data-testid="activity-card"
      data-presentation="lock-screen"
      data-key={activity.key}
      data-state={activity.state}
      data-color={contentState.color}
      className={`theme-dark relative block min-w-0 rounded-3xl border p-4 shadow-lg shadow-black/30 transition has-[a:focus-visible]:outline-2 has-[a:focus-visible]:outline-offset-2 has-[a:focus-visible]:outline-runpod-light ${colors.card}`}
    >
      <div className="flex items-start gap-3">
        {/* biome-ignore lint/performance/noImgElement: a static SVG needs no image optimization */}
        <img src="/runpod-logo.svg" alt="" width={40} height={40} className="size-10 shrink-0" />
        <div className="min-w-0 flex-1">
          <div className="flex items-baseline justify-between gap-3">
            <p className={`truncate text-xs font-semibold tracking-wide ${colors.header}`}>
              {`RunPod · ${contentState.statusWord}`}
            </p>
            <p
              className="shrink-0 font-mono text-sm text-zinc-300 tabular-nums"
              title={open ? "Time since the job was submitted" : "Total time of the job"}
            >
              {open ? null : <span className="sr-only">Total time </span>}
              {timer}
            </p>
          </div>
          <p dir="auto" className="truncate text-base font-semibold text-white" title={title}>
            {detailHref ? (
              <Link
                href={detailHref}
                data-testid="activity-detail-link"
                aria-label={`${title}, ${contentState.statusWord}`}
                className="outline-none after:absolute after:inset-0 after:rounded-3xl"
              >
                {title}
              </Link>
            ) : (
              title
            )}
          </p>
          <p className="flex min-w-0 gap-1.5 font-mono text-xs text-zinc-500">
            {contentState.endpoint ? (
              <span className="shrink-0">{contentState.endpoint}</span>
            ) : null}
            {contentState.endpoint && activity.jobName !== null ? (
              <span aria-hidden="true">·</span>
            ) : null}
            {activity.jobName !== null ? (
              <span className="truncate" title={activity.key}>
                {activity.key}
              </span>
            ) : null}
          </p>
        </div>
      </div>
      <p
        dir="auto"
        className={`mt-3 line-clamp-3 text-sm wrap-anywhere ${colors.action}`}
        title={action}
      >
        {action}
      </p>
      {stale ? (
        <p data-testid="stale-since" className="mt-2 text-xs font-medium text-amber-300">
          Stale since <LocalTime iso={stale.toISOString()} />
        </p>
      ) : null}
      <div className="mt-3 flex items-center gap-3">
        <div className="h-1 flex-1 overflow-hidden rounded-full bg-zinc-800" aria-hidden="true">
          {open ? (
            <div className={`h-full w-1/3 rounded-full animate-indeterminate ${colors.bar}`} />
          ) : (
            <div className={`h-full w-full ${colors.bar}`} />
          )}
        </div>
        {activity.mergedInto ? (
          <Link
            href={`/activities/${activity.mergedInto}`}
            data-testid="merged-into-link"
            className="relative z-10 shrink-0 rounded text-xs text-zinc-300 underline-offset-2 hover:text-white hover:underline focus-visible:outline-2 focus-visible:outline-runpod-light"
          >
            Merged into the job&rsquo;s card<span aria-hidden="true"> →</span>
          </Link>
        ) : null}
        {activity.consoleUrl ? (
          <a
            href={activity.consoleUrl}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="runpod-console-link"
            className="relative z-10 shrink-0 rounded text-xs text-zinc-400 underline-offset-2 hover:text-white hover:underline focus-visible:outline-2 focus-visible:outline-runpod-light"
          >
            Open in RunPod
            <span aria-hidden="true"> ↗</span>
            <span className="sr-only">: endpoint {activity.endpoint} in the RunPod console</span>
          </a>
        ) : null}
      </div>
    </div>
  );
}
